"""SQL for the analytics: per-day sums and each habit's history of minutes, check-offs, skips
and breaks, read over the (user_id, habit_id, date) indexes. Every function here issues exactly
one query, whatever the size of the account."""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Integer, and_, func, literal_column, or_, select, union_all

from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip, User

CHECK, SKIP = literal_column("1", Integer), literal_column("0", Integer)
LOG_DAY = (HabitLog.habit_id, HabitLog.date)


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
        # A break for chosen habits whose habits were all deleted covers nothing (not all).
        .where(or_(HabitBreak.all_habits, HabitBreakHabit.habit_id.is_not(None)))
    )
    return [(start, end, habit_id) for start, end, habit_id in _rows(query)]


Window = tuple[list[int], date | None, date | None]


def _windows(lows: dict[int, date | None], also) -> list[Window]:
    """Each habit's days to read, from its lower bound on (None: all of them) and within the
    `also` spans, as disjoint intervals (None: unbounded), habits with the same intervals
    together: every interval becomes a range scan of the (user, habit, date) index."""
    spans = [(low, high) for low, high in also if low <= high]
    grouped: dict[tuple, list[int]] = defaultdict(list)
    for habit_id, low in lows.items():
        merged: list[tuple[date | None, date | None]] = []
        for start, end in sorted([(low, None), *spans], key=lambda span: span[0] or date.min):
            last = merged[-1] if merged else None
            if last is not None and (last[1] is None or start <= last[1] + timedelta(days=1)):
                unbounded = last[1] is None or end is None
                merged[-1] = (last[0], None if unbounded else max(last[1], end))
            else:
                merged.append((start, end))
        grouped[tuple(merged)].append(habit_id)
    return [(ids, start, end) for spans, ids in grouped.items() for start, end in spans]


def _in_windows(query, habit_column, date_column, windows) -> list:
    """`query` once per window: its habits, within its days."""
    parts = []
    for ids, start, end in windows:
        conditions = [habit_column.in_(ids)]
        if start is not None:
            conditions.append(date_column >= start)
        if end is not None:
            conditions.append(date_column <= end)
        parts.append(query.where(*conditions))
    return parts


def _union(parts: list):
    return parts[0] if len(parts) == 1 else union_all(*parts)


def window_histories(user: User, lows: dict[int, date | None], also=()) -> dict:
    """Each habit's minutes per day, check-offs and excused days from its lower bound on (and
    within `also`), three queries. Breaks are few: all of them are read and cut to size."""
    from .engine import History

    windows = _windows(lows, also)
    minutes: dict[int, dict[date, int]] = defaultdict(dict)
    sums = (
        select(HabitLog.habit_id, HabitLog.date, func.sum(HabitLog.minutes))
        .where(HabitLog.user_id == user.id)
        .group_by(HabitLog.habit_id, HabitLog.date)
    )
    for habit_id, day, total in _rows(_union(_in_windows(sums, *LOG_DAY, windows))):
        minutes[habit_id][day] = int(total)
    checks = select(HabitCheck.habit_id, HabitCheck.date, CHECK.label("entry")).where(
        HabitCheck.user_id == user.id
    )
    skips = select(HabitSkip.habit_id, HabitSkip.date, SKIP.label("entry")).where(
        HabitSkip.user_id == user.id
    )
    entries = [
        *_in_windows(checks, HabitCheck.habit_id, HabitCheck.date, windows),
        *_in_windows(skips, HabitSkip.habit_id, HabitSkip.date, windows),
    ]
    checked: dict[int, set] = defaultdict(set)
    skipped: dict[int, set] = defaultdict(set)
    for habit_id, day, entry in _rows(union_all(*entries)):
        (checked if entry == 1 else skipped)[habit_id].add(day)
    low_values = [low for low in lows.values() if low is not None]
    floor = None if len(low_values) < len(lows) else min(low_values)
    if also and floor is not None:
        floor = min(floor, *(span[0] for span in also))
    for start, end, habit_id in break_spans(user):
        if floor is not None and end < floor:
            continue
        first = start if floor is None else max(start, floor)
        days = [first + timedelta(days=n) for n in range((end - first).days + 1)]
        for covered in lows if habit_id is None else [habit_id]:
            if covered in lows:
                skipped[covered].update(days)
    return {
        habit_id: History(
            minutes.get(habit_id, {}),
            frozenset(checked.get(habit_id, ())),
            frozenset(skipped.get(habit_id, ())),
        )
        for habit_id in lows
    }


def first_entry_day(user: User) -> date | None:
    """The user's first log or check-off, found per habit on the (habit, date) indexes."""
    habits = select(Habit.id).where(Habit.user_id == user.id).subquery()
    first_log = (
        select(func.min(HabitLog.date))
        .where(HabitLog.user_id == user.id, HabitLog.habit_id == habits.c.id)
        .scalar_subquery()
    )
    first_check = (
        select(func.min(HabitCheck.date))
        .where(HabitCheck.user_id == user.id, HabitCheck.habit_id == habits.c.id)
        .scalar_subquery()
    )
    firsts = (
        select(first_log.label("log"), first_check.label("check")).select_from(habits).subquery()
    )
    query = select(func.min(firsts.c.log), func.min(firsts.c.check))
    days = [day for day in _rows(query).one() if day is not None]
    return min(days, default=None)


def minutes_between(user: User, start: date, end: date, habit_ids=None) -> int:
    """All minutes logged from start to end (inclusive)."""
    query = select(func.sum(HabitLog.minutes)).where(HabitLog.date.between(start, end))
    return int(_rows(_scoped(query, user, habit_ids)).scalar() or 0)
