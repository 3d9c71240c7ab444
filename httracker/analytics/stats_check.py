"""`flask stats rebuild|check`: the stored analytics state (derived.py) recomputed from the
logs, checks, skips and breaks, stored again or compared field by field with what is stored."""

from datetime import date

from sqlalchemy import select

from .. import versions
from ..extensions import db
from ..models import Habit, HabitMonthTotal, HabitStatsState, User
from ..timeutil import today_in
from . import queries
from .derived import MONTH_COLUMNS, load, month_rows
from .invalidation import invalidate
from .resume import Carried, Snapshot, carry, first_counted_day, month_end


def rebuild(user: User, today: date) -> int:
    """Recompute every habit's stored state from its logs, checks, skips and breaks (after a
    restore, a transfer or a fix); the number of habits. Commits. The account's pages are
    rendered again too (their numbers came from the old state)."""
    versions.bump(db.session(), [user.id])
    invalidate(user.id)
    habits = list(db.session.scalars(select(Habit).where(Habit.user_id == user.id)))
    load(user, habits, today)
    return len(habits)


def differences(user: User, today: date) -> list[str]:
    """What the stored state says that a walk from nothing does not: every stored month up to
    each habit's checkpoint, field by field."""
    habits = list(db.session.scalars(select(Habit).where(Habit.user_id == user.id)))
    if not habits:
        return []
    facts = queries.window_histories(user, {habit.id: None for habit in habits})
    checkpoints = dict(
        db.session.execute(
            select(HabitStatsState.habit_id, HabitStatsState.checkpoint).where(
                HabitStatsState.user_id == user.id
            )
        ).all()
    )
    stored_rows = db.session.scalars(
        select(HabitMonthTotal).where(HabitMonthTotal.user_id == user.id)
    ).all()
    found = []
    for habit in habits:
        checkpoint = checkpoints.get(habit.id)
        if checkpoint is None:
            continue
        rule, history = habit.rule, facts[habit.id]
        created = today_in(user.timezone, habit.created_at)
        begin = first_counted_day(rule, history, created, Snapshot())
        walked = carry(rule, history, begin, Snapshot(), month_end(checkpoint), user.week_start)
        want = {
            totals.month: month_rows(user, habit, _only(walked, totals))[0]
            for totals in walked.months
        }
        got = {
            row.month: {column: getattr(row, column) for column in want_columns()}
            for row in stored_rows
            if row.habit_id == habit.id and row.month <= checkpoint
        }
        for month in sorted(set(want) | set(got)):
            expected, stored_row = want.get(month), got.get(month)
            if expected is None or stored_row is None:
                if _empty(expected or stored_row):
                    continue
                found.append(
                    f"{user.username} / {habit.name} / {month:%Y-%m}: "
                    f"{'missing' if stored_row is None else 'not expected'}"
                )
                continue
            for column, value in stored_row.items():
                wanted = expected[column]
                same = abs(value - wanted) < 1e-9 if column == "score" else value == wanted
                if not same:
                    found.append(
                        f"{user.username} / {habit.name} / {month:%Y-%m}: {column} "
                        f"stored {value!r}, computed {wanted!r}"
                    )
    return found


def want_columns() -> tuple[str, ...]:
    return (*MONTH_COLUMNS, "first_day", "score", "week_run", "runs")


def _only(walked: Carried, totals) -> Carried:
    return Carried(walked.snapshot, [totals], None, "", None, [])


def _empty(expected: dict) -> bool:
    """A month before anything counted: stored or not, it says nothing."""
    return expected["first_day"] is None and not any(expected[name] for name in MONTH_COLUMNS)
