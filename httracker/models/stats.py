"""Derived analytics state: what each habit's past adds up to, checkpointed at month ends.

Nothing here is user input: every row can be rebuilt from the logs, checks, skips and breaks
(`flask stats rebuild`). A write that changes a habit's history moves its checkpoint back in
the same transaction (analytics/derived.py `invalidate`)."""

from datetime import date

from sqlalchemy import Date, Double, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import MYSQL_TABLE


def _habit_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
    )


class HabitStatsState(db.Model):
    """A habit's checkpoint: the month snapshots up to `checkpoint` (the last day of a month)
    are valid. `version` grows with every change, so a recompute that raced a write is never
    stored."""

    __tablename__ = "habit_stats"
    __table_args__ = (_habit_key(), MYSQL_TABLE)

    habit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checkpoint: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HabitMonthTotal(db.Model):
    """One month of a habit: its totals, and the state at the month's last day that a walk
    resumes from (first day, score, best runs, the run open then, met weeks in a row)."""

    __tablename__ = "habit_month_total"
    __table_args__ = (_habit_key(), MYSQL_TABLE)

    habit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)
    days_logged: Mapped[int] = mapped_column(Integer)
    checks: Mapped[int] = mapped_column(Integer)
    done_days: Mapped[int] = mapped_column(Integer)
    skipped_days: Mapped[int] = mapped_column(Integer)
    # Weeks starting in this month: those not fully excused, and those that met the target.
    weeks_counted: Mapped[int] = mapped_column(Integer)
    weeks_met: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date | None] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Double)
    week_run: Mapped[int] = mapped_column(Integer)
    # The best closed runs and the open run, as "first:last:length" separated by spaces.
    runs: Mapped[str] = mapped_column(String(200))
