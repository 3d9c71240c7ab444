"""Each habit's derived state in the database (models/stats.py): kept up to a checkpoint month,
moved back by every write in the write's own transaction, carried forward lazily on a read.
Rebuilding and checking it (`flask stats`) is stats_check.py.

Writes call `invalidation.invalidate` (the services, imports, transfer and the CLI do), which
asks `within_current_month` whether it has anything to do. A read (`load`)
takes each habit's snapshot at the end of the last complete month, carries a habit whose
checkpoint is older forward from its checkpoint (only that habit, only the months after it) and
stores the result when no write changed the habit meanwhile (`version`), then walks only the
days of this month."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, delete, false, func, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..models import Habit, HabitMonthTotal, HabitStatsState, User
from ..timeutil import today_in, week_start_of
from . import queries
from .engine import History
from .resume import DAY, Carried, Snapshot, carry, first_counted_day, month_end, month_start

# A day's entry changes the month totals of its own month and the week results of weeks that
# began up to six days earlier.
WEEK_REACH = timedelta(days=6)


def checkpoint_for(today: date) -> date:
    """The month a read brings every habit up to: the last complete one (its first day)."""
    return month_start(month_start(today) - DAY)


def latest_today() -> date:
    """The latest date it is anywhere right now (UTC+14): no user's today is later."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def within_current_month(day: date) -> bool:
    """Whether an entry on `day` leaves every stored month as it was, whatever today a read
    takes: what it changes (its day and the weeks that began up to six days before) lies in a
    month no read stores yet, anywhere on Earth, for a day to come. Most writes are of today
    or yesterday, so most writes need no statement here."""
    return day - WEEK_REACH >= month_start(latest_today() + DAY)


@dataclass(frozen=True)
class Stored:
    version: int | None
    checkpoint: date | None
    snapshot: Snapshot | None


def _snapshot(row) -> Snapshot:
    best, open_run = Snapshot.decode_runs(row.runs)
    return Snapshot(
        end=month_end(row.month),
        first_day=row.first_day,
        score=row.score,
        week_run=row.week_run,
        best=best,
        open=open_run,
    )


def stored(user: User, habit_ids: list[int], cap: date) -> dict[int, Stored]:
    """Each habit's version and checkpoint, and its snapshot at the end of its checkpoint month
    or of `cap`, whichever is earlier (one query)."""
    month = case((HabitStatsState.checkpoint > cap, cap), else_=HabitStatsState.checkpoint)
    query = (
        select(
            HabitStatsState.habit_id,
            HabitStatsState.version,
            HabitStatsState.checkpoint,
            HabitMonthTotal,
        )
        .outerjoin(
            HabitMonthTotal,
            and_(
                HabitMonthTotal.habit_id == HabitStatsState.habit_id,
                HabitMonthTotal.user_id == HabitStatsState.user_id,
                HabitMonthTotal.month == month,
            ),
        )
        .where(HabitStatsState.user_id == user.id, HabitStatsState.habit_id.in_(habit_ids or [-1]))
    )
    found = {}
    for habit_id, version, checkpoint, row in db.session.execute(query):
        found[habit_id] = Stored(version, checkpoint, _snapshot(row) if row else None)
    return found


def snapshots_at(user: User, habit_ids: list[int], month: date) -> dict[int, Snapshot]:
    """The snapshots at the end of `month` (one query)."""
    query = select(HabitMonthTotal).where(
        HabitMonthTotal.user_id == user.id,
        HabitMonthTotal.habit_id.in_(habit_ids or [-1]),
        HabitMonthTotal.month == month,
    )
    return {row.habit_id: _snapshot(row) for row in db.session.scalars(query)}


def lower_bound(snap: Snapshot | None, week_start: str) -> date | None:
    """The first day whose facts a walk resuming from `snap` reads (None: every day)."""
    if snap is None or snap.end is None:
        return None
    return min(week_start_of(snap.end + DAY, week_start), snap.end - timedelta(days=5))


@dataclass(frozen=True)
class Loaded:
    """A habit's facts from `low` on, its first counted day, and its walk carried to today."""

    facts: History
    begin: date | None
    start: Snapshot
    today: Carried
    # Months carried on this read but not stored (a racing write won): their totals.
    months: dict
    week_start: str = "monday"
    # The last month whose stored totals hold for this habit after this read (None: none).
    stored_to: date | None = None


def load(
    user: User,
    habits: list[Habit],
    today: date,
    *,
    keep_from: date | None = None,
    also: list[tuple[date, date]] = (),
) -> dict[int, Loaded]:
    """Every habit carried to today from its stored state, bringing stale states up to the last
    complete month (and storing them). With `keep_from`, the walk to today starts early enough
    to give the score of every day from then; `also` adds the facts of a span of days."""
    if not habits:
        return {}
    ids = [habit.id for habit in habits]
    cap = checkpoint_for(today)
    cap_end = month_start(cap + timedelta(days=31)) - DAY
    found = stored(user, ids, cap)
    missing = [habit_id for habit_id in ids if habit_id not in found]
    if missing and _create(user, missing):
        found.update({habit_id: Stored(0, None, None) for habit_id in missing})
    early_month = None
    if keep_from is not None and month_start(month_start(keep_from) - DAY) < cap:
        early_month = month_start(month_start(keep_from) - DAY)
    early = snapshots_at(user, ids, early_month) if early_month else {}
    early_empty = Snapshot(end=month_end(early_month)) if early_month else None
    lows: dict[int, date | None] = {}
    for habit_id in ids:
        state = found.get(habit_id)
        low = lower_bound(state.snapshot if state else None, user.week_start)
        if early_month is not None and low is not None:
            low = min(low, lower_bound(early_empty, user.week_start))
        lows[habit_id] = low
    facts = queries.window_histories(user, lows, also)
    loaded, to_store = {}, []
    for habit in habits:
        rule, history = habit.rule, facts[habit.id]
        state = found.get(habit.id)
        snap = (state.snapshot if state else None) or Snapshot()
        created = today_in(user.timezone, habit.created_at)
        begin = first_counted_day(rule, history, created, snap)
        months = {}
        if snap.end is None or snap.end < cap_end:
            carried = carry(rule, history, begin, snap, cap_end, user.week_start)
            if state is not None and state.version is not None:
                to_store.append((habit, state, snap, carried))
            months = {totals.month: totals.snapshot for totals in carried.months}
            snap = carried.snapshot
        start = snap
        if early_month is not None:
            if early_month in months:
                start = months[early_month]
            elif snap.end is not None and early_month > month_start(snap.end):
                start = snap
            else:
                start = early.get(habit.id) or early_empty
                if start is early_empty and not (begin is None or begin > early_empty.end):
                    start = snap  # no stored month there: walk from the checkpoint
        walked = carry(rule, history, begin, start, today, user.week_start, keep_from=keep_from)
        stored_to = state.checkpoint if state else None
        loaded[habit.id] = Loaded(history, begin, start, walked, {}, user.week_start, stored_to)
    kept = _store(user, to_store, cap) if to_store else set()
    for habit, _state, _snap, carried in to_store:
        if habit.id in kept:
            loaded[habit.id] = replace(loaded[habit.id], stored_to=cap)
        else:
            loaded[habit.id].months.update({totals.month: totals for totals in carried.months})
    return loaded


def _create(user: User, habit_ids: list[int]) -> bool:
    """Add state rows (nothing valid yet) before reading any facts, so that a write from now
    on changes their version; False when a racing write added one first."""
    rows = [{"habit_id": habit_id, "user_id": user.id, "version": 0} for habit_id in habit_ids]
    try:
        with db.session.begin_nested():
            db.session.execute(insert(HabitStatsState), rows)
    except IntegrityError:
        return False
    from ..changes import commit_derived

    commit_derived()
    return True


def _store(user: User, carried: list, cap: date) -> set[int]:
    """Store carried states whose version no write changed meanwhile (a fixed handful of
    statements however many habits); a lost race or a lock conflict only means the next read
    carries them again. Returns the habits stored."""
    versions = [(habit.id, state.version) for habit, state, _snap, _walked in carried]
    ids = [habit_id for habit_id, _version in versions]
    won: set[int] = set()
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(HabitStatsState)
                .where(
                    HabitStatsState.user_id == user.id,
                    tuple_(HabitStatsState.habit_id, HabitStatsState.version).in_(versions),
                )
                .values(checkpoint=cap, version=HabitStatsState.version + 1),
                execution_options={"synchronize_session": False},
            )
            # The rows this statement changed now hold the next version and the new checkpoint
            # (a write that raced it leaves an earlier checkpoint); they stay locked till commit.
            after = db.session.execute(
                select(HabitStatsState.habit_id, HabitStatsState.version).where(
                    HabitStatsState.user_id == user.id,
                    HabitStatsState.habit_id.in_(ids),
                    HabitStatsState.checkpoint == cap,
                )
            )
            expected = dict(versions)
            won = {habit_id for habit_id, version in after if version == expected[habit_id] + 1}
            ours = [item for item in carried if item[0].id in won]
            if ours:
                groups: dict = {}
                for habit, _state, snap, _walked in ours:
                    key = None if snap.end is None else month_start(snap.end)
                    groups.setdefault(key, []).append(habit.id)
                stale = [
                    HabitMonthTotal.habit_id.in_(group)
                    if month is None
                    else and_(HabitMonthTotal.habit_id.in_(group), HabitMonthTotal.month > month)
                    for month, group in groups.items()
                ]
                db.session.execute(
                    delete(HabitMonthTotal).where(HabitMonthTotal.user_id == user.id, or_(*stale)),
                    execution_options={"synchronize_session": False},
                )
                rows = [
                    row for habit, _s, _p, walked in ours for row in month_rows(user, habit, walked)
                ]
                db.session.execute(insert(HabitMonthTotal), rows)
    except (IntegrityError, OperationalError):
        won = set()
    from ..changes import commit_derived

    commit_derived()
    return won


def month_rows(user: User, habit: Habit, walked: Carried) -> list[dict]:
    """The habit_month_total rows of the months a walk carried."""
    return [
        {
            "habit_id": habit.id,
            "user_id": user.id,
            "month": totals.month,
            "minutes": totals.minutes,
            "days_logged": totals.days_logged,
            "checks": totals.checks,
            "done_days": totals.done_days,
            "skipped_days": totals.skipped_days,
            "weeks_counted": totals.weeks_counted,
            "weeks_met": totals.weeks_met,
            "first_day": totals.snapshot.first_day,
            "score": totals.snapshot.score,
            "week_run": totals.snapshot.week_run,
            "runs": totals.snapshot.encode_runs(),
        }
        for totals in walked.months
    ]


MONTH_COLUMNS = (
    "minutes",
    "days_logged",
    "checks",
    "done_days",
    "skipped_days",
    "weeks_counted",
    "weeks_met",
)


def month_sums(user: User, stored_to: dict[int, date | None], first: date, last: date) -> dict:
    """Totals per habit of its stored months from `first` to `last` (first days of months),
    each habit's up to the month its state holds (`stored_to`, from `load`). The bounds come
    from the read that loaded them, so the plan is a range scan per habit whatever the
    planner knows of the state table."""
    columns = MONTH_COLUMNS
    groups: dict[date, list[int]] = {}
    for habit_id, month in stored_to.items():
        if month is not None and first <= min(last, month):
            groups.setdefault(min(last, month), []).append(habit_id)
    spans = [
        and_(HabitMonthTotal.habit_id.in_(ids), HabitMonthTotal.month.between(first, end))
        for end, ids in groups.items()
    ]
    query = (
        select(
            HabitMonthTotal.habit_id,
            *(func.sum(getattr(HabitMonthTotal, name)) for name in columns),
        )
        # Always asked (an empty set of spans finds nothing): a page runs the same statements.
        .where(HabitMonthTotal.user_id == user.id, or_(false(), *spans))
        .group_by(HabitMonthTotal.habit_id)
    )
    return {
        row[0]: {name: int(value or 0) for name, value in zip(columns, row[1:], strict=True)}
        for row in db.session.execute(query)
    }
