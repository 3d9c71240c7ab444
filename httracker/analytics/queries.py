"""SQL for the analytics: per-day sums and each habit's history of minutes, check-offs, skips
and breaks, read over the (user_id, habit_id, date) indexes. Every function here issues exactly
one query, whatever the size of the account."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Integer, and_, func, literal_column, select, union_all

from ..extensions import db
from ..models import HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip, User

CHECK, SKIP = literal_column("1", Integer), literal_column("0", Integer)


def _rows(query):
    """Run a Core select on the session's connection: plain rows, without the ORM's per-row
    result processing (these queries return thousands of tuples, never entities)."""
    return db.session.connection().execute(query)


def _scoped(query, user: User, habit_ids: list[int] | None):
    query = query.where(HabitLog.user_id == user.id)
    if habit_ids is not None:
        query = query.where(HabitLog.habit_id.in_(habit_ids or [-1]))
    return query


def daily_totals(user: User, start: date, end: date, habit_ids=None) -> dict[date, int]:
    """Minutes per day between start and end (inclusive), days without logs left out."""
    query = select(HabitLog.date, func.sum(HabitLog.minutes)).where(
        HabitLog.date.between(start, end)
    )
    query = _scoped(query, user, habit_ids).group_by(HabitLog.date)
    return {day: int(minutes) for day, minutes in _rows(query)}


def first_entry_days(user: User) -> dict[int, date]:
    """Each habit's first log or check-off date (habits without either are left out)."""
    logs = _scoped(select(HabitLog.habit_id, HabitLog.date), user, None)
    checks = select(HabitCheck.habit_id, HabitCheck.date).where(HabitCheck.user_id == user.id)
    entries = union_all(logs, checks).subquery()
    query = select(entries.c.habit_id, func.min(entries.c.date)).group_by(entries.c.habit_id)
    return dict(_rows(query).all())


def minutes_by_day(user: User, habit_ids: list[int]) -> dict[int, dict[date, int]]:
    """Minutes per habit per day, over each habit's whole history."""
    query = _scoped(
        select(HabitLog.habit_id, HabitLog.date, func.sum(HabitLog.minutes)), user, habit_ids
    ).group_by(HabitLog.habit_id, HabitLog.date)
    sums: dict[int, dict[date, int]] = defaultdict(dict)
    for habit_id, day, minutes in _rows(query):
        sums[habit_id][day] = int(minutes)
    return sums


def entry_days(user: User, habit_ids: list[int]) -> tuple[dict[int, set], dict[int, set]]:
    """The days each habit was checked off, and the days it was skipped (one query)."""
    checks = select(HabitCheck.habit_id, HabitCheck.date, CHECK.label("entry")).where(
        HabitCheck.user_id == user.id, HabitCheck.habit_id.in_(habit_ids or [-1])
    )
    skips = select(HabitSkip.habit_id, HabitSkip.date, SKIP.label("entry")).where(
        HabitSkip.user_id == user.id, HabitSkip.habit_id.in_(habit_ids or [-1])
    )
    checked: dict[int, set] = defaultdict(set)
    skipped: dict[int, set] = defaultdict(set)
    for habit_id, day, entry in _rows(union_all(checks, skips)):
        (checked if entry == 1 else skipped)[habit_id].add(day)
    return checked, skipped


def break_spans(user: User) -> list[tuple[date, date, int | None]]:
    """The user's breaks as (start, end, habit id), the habit None for a break of all habits."""
    query = (
        select(HabitBreak.start_date, HabitBreak.end_date, HabitBreakHabit.habit_id)
        .outerjoin(
            HabitBreakHabit,
            and_(
                HabitBreakHabit.break_id == HabitBreak.id,
                HabitBreakHabit.user_id == HabitBreak.user_id,
            ),
        )
        .where(HabitBreak.user_id == user.id)
    )
    return [(start, end, habit_id) for start, end, habit_id in _rows(query)]
