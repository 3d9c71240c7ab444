"""SQL aggregation: per-day, per-habit and per-week sums, and streak islands, computed by the
database with GROUP BY over the (user_id, date) / (habit_id, date) indexes. Every function here
issues exactly one query, whatever the size of the account."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Integer, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from ..extensions import db
from ..models import Habit, HabitLog, User

# Day numbers count from here; every log date is later (dates start on 2000-01-01), so integer
# division of a non-negative difference is a floor on every database.
EPOCH_MONDAY = date(1999, 12, 27)
EPOCH_SUNDAY = date(1999, 12, 26)


class days_since(FunctionElement):  # noqa: N801 — a SQL function, named like one
    """Whole days from a fixed epoch date (written into the SQL) to a date column."""

    type = Integer()
    inherit_cache = True

    def __init__(self, column, epoch: date):
        # The epoch travels as literal SQL text, so it is part of the statement cache key.
        super().__init__(column, literal_column(f"'{epoch.isoformat()}'"))


def _operands(element, compiler, **kw) -> tuple[str, str]:
    column, epoch = element.clauses
    return compiler.process(column, **kw), compiler.process(epoch, **kw)


# Date arithmetic is the one thing that differs per dialect; it lives here and only here. The
# epoch is a date object, so its ISO text is safe to write into the statement; keeping it out of
# bind parameters lets the same expression appear in SELECT and GROUP BY.
@compiles(days_since, "postgresql")
def _days_since_postgresql(element, compiler, **kw):
    column, epoch = _operands(element, compiler, **kw)
    return f"({column} - DATE {epoch})"


@compiles(days_since, "mysql")
@compiles(days_since, "mariadb")
def _days_since_mysql(element, compiler, **kw):
    column, epoch = _operands(element, compiler, **kw)
    return f"(TO_DAYS({column}) - TO_DAYS({epoch}))"


@compiles(days_since, "sqlite")
def _days_since_sqlite(element, compiler, **kw):
    column, epoch = _operands(element, compiler, **kw)
    return f"CAST(julianday({column}) - julianday({epoch}) AS INTEGER)"


def week_index(column, week_start: str) -> ColumnElement:
    """The number of the user's week (starting on `week_start`) that holds the date `column`."""
    epoch = EPOCH_MONDAY if week_start == "monday" else EPOCH_SUNDAY
    return days_since(column, epoch) // literal_column("7", Integer)


def week_index_of(day: date, week_start: str) -> int:
    """week_index() computed in Python, for comparing with the SQL value."""
    epoch = EPOCH_MONDAY if week_start == "monday" else EPOCH_SUNDAY
    return (day - epoch).days // 7


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


def recent_day_sums(user: User, starts: dict[int, date], end: date) -> dict[int, dict[date, int]]:
    """Minutes per habit per day up to end (inclusive), each habit from its own start day."""
    by_start: dict[date, list[int]] = defaultdict(list)
    for habit_id, start in starts.items():
        by_start[start].append(habit_id)
    # One window per distinct start (two at most: daily and weekly scores), so a daily habit
    # does not drag in the longer history only weekly targets need.
    windows = [
        and_(HabitLog.habit_id.in_(ids), HabitLog.date >= start) for start, ids in by_start.items()
    ]
    query = (
        select(HabitLog.habit_id, HabitLog.date, func.sum(HabitLog.minutes))
        .where(HabitLog.user_id == user.id, HabitLog.date <= end, or_(*windows))
        .group_by(HabitLog.habit_id, HabitLog.date)
    )
    sums: dict[int, dict[date, int]] = defaultdict(dict)
    for habit_id, day, minutes in _rows(query):
        sums[habit_id][day] = int(minutes)
    return sums


def habit_range_totals(
    user: User, start: date, end: date, today: date, habit_ids=None
) -> dict[int, dict]:
    """Per habit within the range: minutes, days logged, and done days up to today."""
    per_day = (
        _scoped(
            select(
                HabitLog.habit_id.label("habit_id"),
                HabitLog.date.label("date"),
                func.sum(HabitLog.minutes).label("minutes"),
            ).where(HabitLog.date.between(start, end)),
            user,
            habit_ids,
        )
        .group_by(HabitLog.habit_id, HabitLog.date)
        .subquery()
    )
    done = case(
        (and_(per_day.c.date <= today, per_day.c.minutes >= Habit.done_threshold), 1), else_=0
    )
    query = (
        select(
            per_day.c.habit_id,
            func.sum(per_day.c.minutes),
            func.count(),
            func.sum(done),
        )
        .join(Habit, Habit.id == per_day.c.habit_id)
        .group_by(per_day.c.habit_id)
    )
    return {
        habit_id: {"minutes": int(minutes), "days_logged": int(days), "done_days": int(met)}
        for habit_id, minutes, days, met in _rows(query)
    }


def first_log_days(user: User, habit_ids=None) -> dict[int, date]:
    """Each habit's first log date (habits without logs are left out)."""
    query = _scoped(select(HabitLog.habit_id, func.min(HabitLog.date)), user, habit_ids)
    return dict(_rows(query.group_by(HabitLog.habit_id)).all())


def week_sums(user: User, first_week: int, last_week: int, habit_ids) -> dict[int, dict[int, int]]:
    """Minutes per habit per user week (see week_index) for weeks first_week..last_week."""
    weekly = _weekly_logs(user, habit_ids)
    query = (
        select(weekly.c.habit_id, weekly.c.week_number, func.sum(weekly.c.minutes))
        .where(weekly.c.week_number.between(first_week, last_week))
        .group_by(weekly.c.habit_id, weekly.c.week_number)
    )
    sums: dict[int, dict[int, int]] = defaultdict(dict)
    for habit_id, number, minutes in _rows(query):
        sums[habit_id][int(number)] = int(minutes)
    return sums


def _weekly_logs(user: User, habit_ids):
    """The user's logs with the number of the week they fall in."""
    return _scoped(
        select(
            HabitLog.habit_id.label("habit_id"),
            week_index(HabitLog.date, user.week_start).label("week_number"),
            HabitLog.minutes.label("minutes"),
        ),
        user,
        habit_ids,
    ).subquery()


def day_islands(user: User, habit_ids, since: date, best: int = 5) -> list[tuple]:
    """Runs of done days (gaps and islands), per habit: the `best` longest ones and any that
    ends on or after `since`, as (habit_id, first_day, last_day, length) rows."""
    per_day = (
        _scoped(
            select(
                HabitLog.habit_id.label("habit_id"),
                HabitLog.date.label("date"),
                func.sum(HabitLog.minutes).label("minutes"),
            ),
            user,
            habit_ids,
        )
        .group_by(HabitLog.habit_id, HabitLog.date)
        .subquery()
    )
    order = func.row_number().over(partition_by=per_day.c.habit_id, order_by=per_day.c.date)
    done = (
        select(
            per_day.c.habit_id,
            per_day.c.date,
            (days_since(per_day.c.date, EPOCH_MONDAY) - order).label("island"),
        )
        .join(Habit, Habit.id == per_day.c.habit_id)
        .where(per_day.c.minutes >= Habit.done_threshold)
        .subquery()
    )
    return _islands(done.c.habit_id, done.c.island, done.c.date, since, best)


def week_islands(user: User, habit_ids, since_week: int) -> list[tuple]:
    """Runs of consecutive weeks that met a weekly target and end on or after `since_week`,
    as (habit_id, first_week, last_week, length) rows."""
    weekly = _weekly_logs(user, habit_ids)
    per_week = (
        select(
            weekly.c.habit_id,
            weekly.c.week_number,
            func.sum(weekly.c.minutes).label("minutes"),
        )
        .group_by(weekly.c.habit_id, weekly.c.week_number)
        .subquery()
    )
    order = func.row_number().over(
        partition_by=per_week.c.habit_id, order_by=per_week.c.week_number
    )
    met = (
        select(
            per_week.c.habit_id,
            per_week.c.week_number,
            (per_week.c.week_number - order).label("island"),
        )
        .join(Habit, Habit.id == per_week.c.habit_id)
        .where(Habit.weekly_target, per_week.c.minutes >= Habit.target_minutes)
        .subquery()
    )
    rows = _islands(met.c.habit_id, met.c.island, met.c.week_number, since_week, best=0)
    return [(habit_id, int(first), int(last), length) for habit_id, first, last, length in rows]


def _islands(habit_id, island, position, since, best: int) -> list[tuple]:
    runs = (
        select(
            habit_id.label("habit_id"),
            func.min(position).label("run_start"),
            func.max(position).label("run_end"),
            func.count().label("length"),
        )
        .group_by(habit_id, island)
        .subquery()
    )
    rank = func.row_number().over(
        partition_by=runs.c.habit_id, order_by=(runs.c.length.desc(), runs.c.run_end.desc())
    )
    ranked = select(runs, rank.label("place")).subquery()
    query = select(ranked.c.habit_id, ranked.c.run_start, ranked.c.run_end, ranked.c.length).where(
        or_(ranked.c.place <= best, ranked.c.run_end >= since)
    )
    return [(habit_id, first, last, int(length)) for habit_id, first, last, length in _rows(query)]
