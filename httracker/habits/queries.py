"""Owner-scoped reads: every lookup of a habit or a log goes through here, so isolation is
written once. Another user's id is treated exactly like one that does not exist."""

from datetime import date

from flask import abort
from sqlalchemy import Select, func, select

from ..extensions import db
from ..models import Habit, HabitLog, User


def habits_of(user: User, *, active: bool | None = None) -> Select:
    """The user's habits, in name order; `active` True/False keeps only active/archived ones."""
    query = select(Habit).where(Habit.user_id == user.id).order_by(Habit.name_key)
    if active is not None:
        query = query.where(Habit.archived.is_(not active))
    return query


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


def categories_of(user: User) -> list[str]:
    """The user's non-empty categories, sorted."""
    query = (
        select(Habit.category)
        .where(Habit.user_id == user.id, Habit.category != "")
        .distinct()
        .order_by(Habit.category)
    )
    return list(db.session.scalars(query))
