"""Changes to habits and logs, shared by the web views, the CLI and imports.

Each function validates and writes (adds and flushes, or sends its statement); the caller commits
once (or rolls back)."""

import unicodedata
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.exceptions import NotFound

from .. import versions
from ..analytics.invalidation import invalidate
from ..changes import RuleBroken
from ..durations import format_minutes
from ..extensions import db
from ..formatting import readable_date
from ..models import (
    CATEGORY_MAX,
    MAX_DAY_MINUTES,
    NAME_MAX,
    NOTE_MAX,
    Habit,
    HabitCheck,
    HabitLog,
    HabitTimer,
    User,
    fold,
    utcnow,
)
from ..timeutil import EARLIEST_DATE, user_today
from . import log_insert, log_trip
from .colours import COLOURS, next_colour
from .queries import day_total
from .targets import Target, checked_target

# A log names a habit that is missing, someone else's, archived (for a new log) or not timed.
NOT_AN_ACTIVE_HABIT = "Choose one of your active habits."


def lock_user(user: User, habits: Iterable[Habit] = ()) -> None:
    """Serialise concurrent changes to one user's logs: a row lock on PostgreSQL and MariaDB.
    SQLite ignores FOR UPDATE; there every transaction holds the write lock from its start
    (see database.py). With `habits`, the entries about to be written name them: once the lock
    is held they must still be there (delete_habit takes the lock too), or it is a 404, never
    a failed insert; and what the caller checks from here on is them as committed, with a change
    committed meanwhile (an archive, a new kind: both take this lock). They are read again,
    unless the lock's statement says no change of the account committed since the request
    read its user, before them (versions.unchanged_since_seen): then they are as read."""
    # Moving the account's data version (versions.py) takes the row lock: one statement.
    session = db.session()
    moved_from = versions.bump(session, [user.id])
    ids = {habit.id for habit in habits}
    # Nothing of the account changed since the request read its user, before these habits:
    # they are as committed, with no second read.
    if ids and not versions.unchanged_since_seen(session, user.id, moved_from):
        there = select(Habit).where(Habit.user_id == user.id, Habit.id.in_(ids))
        found = db.session.scalars(there.execution_options(populate_existing=True)).all()
        if len(found) != len(ids):
            raise NotFound()


# Control characters and line or paragraph separators: a name is one line of text (it also
# goes into mail subjects, where a line break cannot be).
NOT_ONE_LINE = frozenset(("Cc", "Zl", "Zp"))
ONE_LINE_MESSAGE = "Use one line of text, without line breaks, tabs or other control characters."


def check_one_line(field: str, text: str) -> None:
    """Raise RuleBroken when `text` holds a control character or a line break."""
    if any(unicodedata.category(character) in NOT_ONE_LINE for character in text):
        raise RuleBroken(field, ONE_LINE_MESSAGE)


def check_name(name: str) -> None:
    """Raise RuleBroken unless the (stripped) habit name is one line of an allowed length."""
    if not 1 <= len(name) <= NAME_MAX:
        raise RuleBroken("name", f"Use 1–{NAME_MAX} characters.")
    check_one_line("name", name)


def check_category(category: str) -> None:
    """Raise RuleBroken when the (stripped) category is too long or not one line."""
    if len(category) > CATEGORY_MAX:
        raise RuleBroken("category", f"Use at most {CATEGORY_MAX} characters.")
    check_one_line("category", category)


def check_habit_rules(name: str, category: str, target: Target) -> Target:
    """Raise RuleBroken for the first habit field that breaks a rule of its own; the target in
    its stored shape otherwise."""
    check_name(name)
    check_category(category)
    return checked_target(target)


def check_habit_fields(
    user: User, name: str, category: str, target: Target, habit: Habit | None = None
) -> Target:
    """Raise RuleBroken for the first habit field that breaks a rule, the name's
    uniqueness among the user's habits last; the target in its stored shape otherwise."""
    target = check_habit_rules(name, category, target)
    query = select(Habit.id).where(Habit.user_id == user.id, Habit.name_key == fold(name))
    if habit is not None and habit.id is not None:
        query = query.where(Habit.id != habit.id)
    if db.session.scalar(query) is not None:
        raise RuleBroken("name", "You already have a habit with that name.")
    return target


def check_colour(colour: str) -> None:
    """Raise RuleBroken unless `colour` is a key of the palette."""
    if colour not in COLOURS:
        raise RuleBroken("colour", "Choose one of the colours offered.")


def create_habit(
    user: User,
    name: str,
    category: str = "",
    target: Target | None = None,
    *,
    colour: str | None = None,
) -> Habit:
    """Add a habit for the user, last in their order; its name is unique per user in any letter
    case. Without a colour it gets the palette's next unused one."""
    # Before the insert: its foreign-key check would otherwise wait for a running import's
    # lock while holding the new name, which that import may be about to insert (a deadlock).
    lock_user(user)
    name, category = name.strip(), category.strip()
    target = check_habit_fields(user, name, category, target or Target())
    placed = db.session.execute(
        select(Habit.colour, Habit.position).where(Habit.user_id == user.id)
    ).all()
    if colour is None:
        colour = next_colour([row.colour for row in placed])
    check_colour(colour)
    position = max((row.position for row in placed), default=-1) + 1
    habit = Habit(
        user_id=user.id,
        name=name,
        category=category,
        colour=colour,
        position=position,
        **target.columns(),
    )
    db.session.add(habit)
    _flush_unique_name()
    return habit


def update_habit(
    user: User,
    habit: Habit,
    name: str,
    category: str,
    target: Target,
    *,
    colour: str | None = None,
) -> Habit:
    """Change a habit's name, category, target and colour (None keeps it). Its kind stays once
    it has entries: minutes and check-offs do not turn into each other."""
    name, category = name.strip(), category.strip()
    target = check_habit_fields(user, name, category, target, habit)
    if target.kind != habit.kind:
        # A new kind is checked under the lock that logging, checking off and starting a timer
        # take, so none of them slips in between the checks and the change. Taken before the
        # habit's row is written: the lock always comes first.
        lock_user(user, [habit])
    if colour is not None:
        check_colour(colour)
        habit.colour = colour
    if target.kind != habit.kind and has_entries(user, habit):
        raise RuleBroken(
            "kind",
            f"{habit.name} already has {'check-offs' if habit.kind == 'check' else 'logs'}: "
            "its kind stays. Archive it and create a new habit instead.",
        )
    if target.kind != habit.kind and is_timed_now(habit):
        raise RuleBroken("kind", f"{habit.name} is being timed: stop its timer first.")
    habit.rename(name)
    habit.category = category
    rule = habit.rule
    for column, value in target.columns().items():
        setattr(habit, column, value)
    _flush_unique_name()
    if habit.rule != rule:
        invalidate(user.id, [habit.id])
    return habit


def has_entries(user: User, habit: Habit) -> bool:
    """Whether a habit has any log or check-off."""
    entry = HabitCheck if habit.kind == "check" else HabitLog
    query = select(entry.id).where(entry.user_id == user.id, entry.habit_id == habit.id).limit(1)
    return db.session.scalar(query) is not None


def _flush_unique_name() -> None:
    """Flush, turning a lost race on the unique name into the same error as the check."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleBroken("name", "You already have a habit with that name.") from None


def check_minutes(minutes: int) -> None:
    """Raise RuleBroken unless one log's minutes fit in a day."""
    if not 1 <= minutes <= MAX_DAY_MINUTES:
        raise RuleBroken("minutes", "Log between 1 minute and 24h.")


def check_log_date(day: date, today: date) -> None:
    """Raise RuleBroken for a day before the earliest date or after the user's today."""
    if day < EARLIEST_DATE:
        raise RuleBroken("date", f"Dates start on {EARLIEST_DATE.isoformat()}.")
    if day > today:
        raise RuleBroken("date", "That day is in the future in your time zone.")


def check_note(note: str | None) -> None:
    """Raise RuleBroken when the (stripped) note is too long."""
    if note is not None and len(note) > NOTE_MAX:
        raise RuleBroken("note", f"Use at most {NOTE_MAX} characters.")


def check_log_rules(day: date, minutes: int, note: str | None, today: date) -> None:
    """Raise RuleBroken for the first log field that breaks a rule of its own."""
    check_minutes(minutes)
    check_log_date(day, today)
    check_note(note)


def check_day_total(day: date, logged: int, minutes: int) -> None:
    """Raise RuleBroken when `minutes` more on a day that has `logged` exceed 24h."""
    left = MAX_DAY_MINUTES - logged
    if minutes > left:
        raise RuleBroken(
            "minutes",
            f"A day has 24h: {format_minutes(max(left, 0))} left to log on {readable_date(day)}.",
        )


def check_log_fields(
    user: User, day: date, minutes: int, note: str | None, *, except_log_id: int | None = None
) -> None:
    """Raise RuleBroken for the first log field that breaks a rule, the day limit last."""
    check_log_rules(day, minutes, note, user_today(user))
    check_day_total(day, day_total(user, day, except_log_id=except_log_id), minutes)


def check_timed(habit: Habit) -> None:
    """Minutes are logged against time habits only."""
    if habit.kind == "check":
        raise RuleBroken("minutes", f"{habit.name} is checked off, not timed: check it instead.")


def _log_values(user: User, habit_id: int, day: date, minutes: int, note: str | None) -> dict:
    return {
        "user_id": user.id,
        "habit_id": habit_id,
        "date": day,
        "minutes": minutes,
        "note": (note or "").strip() or None,
        "created_at": utcnow(),
    }


def _written(values: dict, log_id: int) -> HabitLog:
    """The log as written, outside the session: its values stay readable after the commit, or
    after a rollback, as they were."""
    log = HabitLog(id=log_id, **values)
    make_transient_to_detached(log)
    return log


def add_log(user: User, habit: Habit, day: date, minutes: int, note: str | None = None) -> HabitLog:
    """Log minutes against one of the user's habits, keeping the day within 1440 minutes. The
    log is written at once; what is returned is the row as written (`_written`)."""
    values = _log_values(user, habit.id, day, minutes, note)

    def check() -> None:
        check_timed(habit)
        check_log_rules(day, minutes, values["note"], user_today(user))

    try:
        check()  # the habit as read
    except RuleBroken:
        done = False  # checked again below, under the lock, on the habit as committed
    else:
        # One statement with the lock; two when a change of the account commits while it
        # waits for the lock.
        done, log_id, _ = log_insert.insert_at_once(user.id, values)
    if not done:
        lock_user(user, [habit])
        check()  # as committed: a change of kind took the lock too
        log_id = log_insert.insert_within_day(values)
    if log_id is None:
        # Nothing inserted: the minutes did not fit the day. Its total (the same under the
        # lock) says how much is left; check_day_total raises with it.
        check_day_total(day, day_total(user, day), minutes)
        raise RuleBroken("minutes", "A day has 24h.")
    if not done:  # the one statement moved the stored state back with the insert
        invalidate(user.id, [habit.id], day)
    return _written(values, log_id)


def logs_unread() -> bool:
    """Whether `add_log_unread` can write here; where it cannot, a caller goes the usual way
    at once rather than check the log's fields twice."""
    return log_insert.at_once_here()


def add_log_unread(
    user: User,
    habit_id: int,
    day: date,
    minutes: int,
    note: str | None = None,
    *,
    commit: bool = False,
) -> tuple[int, str] | None:
    """`add_log` for a habit known by its id alone, not read first: on PostgreSQL the one
    statement checks it is the user's active time habit itself (log_insert.insert_at_once).
    The log's id and the habit's name as committed; None when nothing was written so
    (another database, a rule the log breaks, the habit no such habit, a day without room).
    The caller then reads the habit and calls `add_log`, which says why.

    With `commit`, the log is all the transaction writes, which the caller commits next: the
    lock, the statement and the COMMIT then go in one round trip where they can
    (log_trip.log_in_one_trip), and the caller's commit finds nothing left. None may then
    follow a transaction already ended (with the account's version moved, nothing else); the
    caller goes on in the next one."""
    values = _log_values(user, habit_id, day, minutes, note)
    try:
        check_log_rules(day, minutes, values["note"], user_today(user))
    except RuleBroken:
        return None
    done = log_trip.log_in_one_trip(user.id, values) if commit else None
    if done is None:
        done = log_insert.insert_at_once(user.id, values)
    if not done.done or done.log_id is None:
        return None
    return done.log_id, done.habit_name


def update_log(
    user: User, log: HabitLog, habit: Habit, day: date, minutes: int, note: str | None
) -> HabitLog:
    """Change a log, keeping its day (and a new day) within 1440 minutes. NotFound when the
    log was deleted (with its habit, say) after the caller read it."""
    lock_user(user, [habit])
    check_timed(habit)
    # Under the user's lock, read the row again: a delete committed meanwhile is a 404, not a
    # failed UPDATE.
    if db.session.get(HabitLog, log.id, populate_existing=True) is None:
        raise NotFound()
    note = (note or "").strip() or None
    check_log_fields(user, day, minutes, note, except_log_id=log.id)
    before = (log.habit_id, log.date)
    log.habit_id, log.date, log.minutes, log.note = habit.id, day, minutes, note
    db.session.flush()
    if before[0] == habit.id:
        invalidate(user.id, [habit.id], min(before[1], day))
    else:
        invalidate(user.id, [before[0]], before[1])
        invalidate(user.id, [habit.id], day)
    return log


def delete_log(log: HabitLog) -> None:
    """Delete one log."""
    db.session.delete(log)
    db.session.flush()
    invalidate(log.user_id, [log.habit_id], log.date)


def delete_habit(habit: Habit) -> None:
    """Delete a habit; the database cascades to its logs (and a timer running on it, which
    is discarded with the habit) in the same transaction. It deletes logs, so it takes the
    user's lock like every other change to them."""
    lock_user(habit.user)
    db.session.delete(habit)
    db.session.flush()


def is_timed_now(habit: Habit) -> bool:
    """Whether the habit's owner has a timer running on it."""
    query = select(HabitTimer.id).where(
        HabitTimer.user_id == habit.user_id, HabitTimer.habit_id == habit.id
    )
    return db.session.scalar(query) is not None


def set_archived(habit: Habit, archived: bool) -> None:
    """Archive or restore a habit; its logs stay either way. A habit being timed is not
    archived: the timer is stopped (its minutes logged) or discarded first, so no time is lost
    and no timer runs on a habit that has left the dashboard. Under the user's lock, which
    starting a timer takes too, so one cannot start between the check and the archive."""
    lock_user(habit.user, [habit])
    if archived and is_timed_now(habit):
        raise RuleBroken(
            "archived", f"{habit.name} is being timed: stop or discard its timer first."
        )
    habit.archived = archived
    db.session.flush()
