"""Owner-scoped reads: every lookup of a habit or a log goes through here, so isolation is
written once. Another user's id is treated exactly like one that does not exist."""

from datetime import date

from flask import abort
from sqlalchemy import Select, bindparam, case, func, select

from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitLog, User


def habits_of(user: User, *, active: bool | None = None) -> Select:
    """The user's habits in their order; `active` True/False keeps only active/archived ones."""
    query = (
        select(Habit)
        .where(Habit.user_id == user.id)
        .order_by(Habit.position, Habit.name_key, Habit.id)
    )
    if active is not None:
        query = query.where(Habit.archived.is_(not active))
    return query


def colours_of(user: User) -> list[str]:
    """The colours the user's habits have (one per habit)."""
    return list(db.session.scalars(select(Habit.colour).where(Habit.user_id == user.id)))


def logs_of(user: User) -> Select:
    """The user's logs, newest first."""
    return (
        select(HabitLog)
        .where(HabitLog.user_id == user.id)
        .order_by(HabitLog.date.desc(), HabitLog.id.desc())
    )


def get_habit_or_404(user: User, habit_id: int, *, active_only: bool = False) -> Habit:
    """The user's habit with this id, or a 404 — the same for a missing id and someone else's."""
    query = select(Habit).where(Habit.id == habit_id, Habit.user_id == user.id)
    if active_only:
        query = query.where(Habit.archived.is_(False))
    habit = db.session.scalar(query)
    if habit is None:
        abort(404)
    return habit


# Built once: every new log reads its habit with it.
ACTIVE_HABIT = select(Habit).where(
    Habit.id == bindparam("habit_id"),
    Habit.user_id == bindparam("user_id"),
    Habit.archived.is_(False),
)


def active_habit(user: User, habit_id: int) -> Habit | None:
    """The user's habit with this id if it is not archived, else None."""
    return db.session.scalar(ACTIVE_HABIT, {"habit_id": habit_id, "user_id": user.id})


def get_log_or_404(user: User, log_id: int) -> HabitLog:
    """The user's log with this id, or a 404."""
    log = db.session.scalar(
        select(HabitLog).where(HabitLog.id == log_id, HabitLog.user_id == user.id)
    )
    if log is None:
        abort(404)
    return log


def day_total(user: User, day: date, *, except_log_id: int | None = None) -> int:
    """Minutes the user has logged on `day` across all habits (optionally leaving one log out)."""
    query = select(func.coalesce(func.sum(HabitLog.minutes), 0)).where(
        HabitLog.user_id == user.id, HabitLog.date == day
    )
    if except_log_id is not None:
        query = query.where(HabitLog.id != except_log_id)
    return int(db.session.scalar(query))


def day_totals(user: User, days) -> dict[date, int]:
    """Minutes the user has logged on each of `days` across all habits (days without any: 0)."""
    days = list(days)
    query = (
        select(HabitLog.date, func.sum(HabitLog.minutes))
        .where(HabitLog.user_id == user.id, HabitLog.date.in_(days))
        .group_by(HabitLog.date)
    )
    totals = {day: int(minutes) for day, minutes in db.session.execute(query)}
    return {day: totals.get(day, 0) for day in days}


def categories_of(user: User) -> list[str]:
    """The user's non-empty categories, sorted."""
    query = (
        select(Habit.category)
        .where(Habit.user_id == user.id, Habit.category != "")
        .distinct()
        .order_by(Habit.category)
    )
    return list(db.session.scalars(query))


def habit_summaries(user: User, week_start: date, *, active: bool | None = None) -> list:
    """(habit, minutes since `week_start`, last logged date) for the user's habits, in one query."""
    totals = (
        select(
            HabitLog.habit_id.label("habit_id"),
            func.sum(case((HabitLog.date >= week_start, HabitLog.minutes), else_=0)).label("week"),
            func.max(HabitLog.date).label("last_date"),
        )
        .where(HabitLog.user_id == user.id)
        .group_by(HabitLog.habit_id)
        .subquery()
    )
    query = (
        habits_of(user, active=active)
        .add_columns(func.coalesce(totals.c.week, 0), totals.c.last_date)
        .outerjoin(totals, totals.c.habit_id == Habit.id)
    )
    return list(db.session.execute(query).all())


def day_minutes_by_habit(user: User, day: date) -> dict[int, int]:
    """Minutes logged on `day`, per habit id."""
    query = (
        select(HabitLog.habit_id, func.sum(HabitLog.minutes))
        .where(HabitLog.user_id == user.id, HabitLog.date == day)
        .group_by(HabitLog.habit_id)
    )
    return {habit_id: int(minutes) for habit_id, minutes in db.session.execute(query)}


def filter_entries(
    query: Select,
    model,
    user: User,
    *,
    habit_id: int | None = None,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    """`query` over a day entry (HabitLog, HabitCheck or HabitSkip) narrowed by habit,
    category and an inclusive date range."""
    if habit_id is not None:
        query = query.where(model.habit_id == habit_id)
    if category:
        in_category = select(Habit.id).where(Habit.user_id == user.id, Habit.category == category)
        query = query.where(model.habit_id.in_(in_category))
    if start is not None:
        query = query.where(model.date >= start)
    if end is not None:
        query = query.where(model.date <= end)
    return query


def filter_logs(query: Select, user: User, **filters) -> Select:
    """`query` over HabitLog narrowed by habit, category and an inclusive date range."""
    return filter_entries(query, HabitLog, user, **filters)


def logs_total(user: User, **filters) -> int:
    """Total minutes of the user's logs matching `filters` (see filter_logs)."""
    query = select(func.coalesce(func.sum(HabitLog.minutes), 0)).where(HabitLog.user_id == user.id)
    return int(db.session.scalar(filter_logs(query, user, **filters)))


def recent_logs(user: User, habit: Habit, limit: int = 20) -> list[HabitLog]:
    """The habit's most recent logs."""
    query = logs_of(user).where(HabitLog.habit_id == habit.id).limit(limit)
    return list(db.session.scalars(query))


def log_count(user: User, habit: Habit) -> int:
    """How many logs the habit has."""
    query = select(func.count(HabitLog.id)).where(
        HabitLog.user_id == user.id, HabitLog.habit_id == habit.id
    )
    return int(db.session.scalar(query))


def get_break_or_404(user: User, break_id: int) -> HabitBreak:
    """The user's break with this id, or a 404."""
    entry = db.session.scalar(
        select(HabitBreak).where(HabitBreak.id == break_id, HabitBreak.user_id == user.id)
    )
    if entry is None:
        abort(404)
    return entry


def break_habit_names(user: User) -> dict[int, list[str]]:
    """The names of the habits each of the user's breaks covers (when not all), by break id."""
    query = (
        select(HabitBreakHabit.break_id, Habit.name)
        .join(Habit, (Habit.id == HabitBreakHabit.habit_id) & (Habit.user_id == user.id))
        .where(HabitBreakHabit.user_id == user.id)
        .order_by(Habit.name_key)
    )
    names: dict[int, list[str]] = {}
    for break_id, name in db.session.execute(query):
        names.setdefault(break_id, []).append(name)
    return names
