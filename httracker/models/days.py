"""The days besides logged minutes: checks of check habits, skipped days, and breaks."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import MYSQL_TABLE, NOTE_MAX, UTCDateTime, utcnow


def _day_entry_args() -> tuple:
    """Constraints shared by the one-per-habit-per-day tables (checks and skips)."""
    return (
        ForeignKeyConstraint(
            ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("habit_id", "date"),
        Index(None, "user_id", "date"),
        MYSQL_TABLE,
    )


class DayEntry:
    """Columns of a one-per-habit-per-day entry."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    habit_id: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HabitCheck(DayEntry, db.Model):
    """A check habit done on a day: at most one per habit per day."""

    __tablename__ = "habit_check"
    __table_args__ = _day_entry_args()


class HabitSkip(DayEntry, db.Model):
    """A habit's day excused (sick, travelling): transparent to streaks and scores."""

    __tablename__ = "habit_skip"
    __table_args__ = _day_entry_args()


class HabitBreak(db.Model):
    """A range of excused days, for every habit or for chosen ones."""

    __tablename__ = "habit_break"
    __table_args__ = (
        UniqueConstraint("id", "user_id"),
        CheckConstraint("end_date >= start_date", name="dates"),
        Index(None, "user_id", "start_date"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    all_habits: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HabitBreakHabit(db.Model):
    """A habit a break covers (when it does not cover them all); both belong to one user."""

    __tablename__ = "habit_break_habit"
    __table_args__ = (
        ForeignKeyConstraint(
            ["break_id", "user_id"], ["habit_break.id", "habit_break.user_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
        ),
        MYSQL_TABLE,
    )

    break_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    habit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
