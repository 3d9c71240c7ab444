"""The running timer: at most one per user, on one of the user's time habits."""

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import MYSQL_TABLE, NOTE_MAX, UTCDateTime, utcnow
from .habits import Habit


class HabitTimer(db.Model):
    """A timer started and not yet stopped; stopping it turns the time into logs."""

    __tablename__ = "habit_timer"
    __table_args__ = (
        # One running timer per user: the database refuses a second one.
        UniqueConstraint("user_id"),
        # Like a log: the timer's habit must belong to the timer's user.
        ForeignKeyConstraint(
            ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
        ),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    habit_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    habit: Mapped[Habit] = relationship(
        primaryjoin="and_(HabitTimer.habit_id == Habit.id, HabitTimer.user_id == Habit.user_id)",
        foreign_keys=[habit_id, user_id],
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<HabitTimer {self.id} habit={self.habit_id} since {self.started_at}>"
