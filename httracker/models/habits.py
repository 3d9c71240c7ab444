"""Habits, with their target rules, and the minutes logged against them."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    and_,
    case,
    false,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import ColumnElement

from ..extensions import db
from ..rules import Rule
from .accounts import User
from .base import CATEGORY_MAX, MYSQL_TABLE, NAME_MAX, NOTE_MAX, UTCDateTime, fold, utcnow


class Habit(db.Model):
    __tablename__ = "habit"
    __table_args__ = (
        UniqueConstraint("user_id", "name_key"),
        # The target of habit_log's composite foreign key: a log's habit must share its user.
        UniqueConstraint("id", "user_id"),
        CheckConstraint("target_period IN ('day', 'week')", name="target_period"),
        CheckConstraint(
            "target_minutes IS NULL"
            " OR (target_period = 'day' AND target_minutes BETWEEN 1 AND 1440)"
            " OR (target_period = 'week' AND target_minutes BETWEEN 1 AND 10080)",
            name="target_minutes",
        ),
        CheckConstraint("kind IN ('time', 'check')", name="kind"),
        CheckConstraint("target_direction IN ('at_least', 'at_most')", name="target_direction"),
        CheckConstraint(
            "(kind = 'time' AND target_times IS NULL)"
            " OR (kind = 'check' AND target_minutes IS NULL AND target_direction = 'at_least'"
            " AND ((target_period = 'day' AND target_times = 1)"
            " OR (target_period = 'week' AND target_times BETWEEN 1 AND 7)))",
            name="target_times",
        ),
        CheckConstraint(
            "target_direction = 'at_least' OR target_minutes IS NOT NULL", name="limit"
        ),
        CheckConstraint("reminder_days BETWEEN 0 AND 127", name="reminder_days"),
        # The user's lists and the week grid read habits in the user's order.
        Index(None, "user_id", "position"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX))
    category: Mapped[str] = mapped_column(String(CATEGORY_MAX), default="", server_default="")
    target_minutes: Mapped[int | None] = mapped_column(Integer)
    target_period: Mapped[str] = mapped_column(String(4), default="day", server_default="day")
    kind: Mapped[str] = mapped_column(String(5), default="time", server_default="time")
    target_direction: Mapped[str] = mapped_column(
        String(8), default="at_least", server_default="at_least"
    )
    target_times: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A key of habits/colours.py's palette, and the habit's place in the user's order.
    colour: Mapped[str] = mapped_column(String(8), default="teal", server_default="teal")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A reminder mail at this local time on these weekdays (bit 0 = Monday), and the local day
    # the last one went for (at most one a day).
    reminder_time: Mapped[time | None] = mapped_column(Time)
    reminder_days: Mapped[int] = mapped_column(Integer, default=127, server_default="127")
    reminder_sent_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship(back_populates="habits")

    def __init__(self, **fields):
        # The column defaults, present before a flush, so a new habit's rule reads right.
        fields.setdefault("kind", "time")
        fields.setdefault("target_period", "day")
        fields.setdefault("target_direction", "at_least")
        super().__init__(**fields)
        if self.name is not None:
            self.name_key = fold(self.name)

    def rename(self, name: str) -> None:
        self.name = name
        self.name_key = fold(name)

    # The target rules, each written once: in Python for a loaded habit, and as the same rule in
    # SQL (the `.expression` below it) for queries, so `Habit.done_threshold` works in a select.
    @hybrid_property
    def weekly_target(self) -> bool:
        """Whether the target is met per week (minutes or times), not per day, and not none."""
        return self.target_period == "week" and (
            self.kind == "check" or self.target_minutes is not None
        )

    @weekly_target.inplace.expression
    @classmethod
    def _weekly_target_expression(cls) -> ColumnElement[bool]:
        return and_(
            cls.target_period == "week", or_(cls.kind == "check", cls.target_minutes.is_not(None))
        )

    @hybrid_property
    def is_limit(self) -> bool:
        """An "at most" time habit: staying within the target is success."""
        return (
            self.kind == "time"
            and self.target_direction == "at_most"
            and self.target_minutes is not None
        )

    @is_limit.inplace.expression
    @classmethod
    def _is_limit_expression(cls) -> ColumnElement[bool]:
        return and_(
            cls.kind == "time",
            cls.target_direction == "at_most",
            cls.target_minutes.is_not(None),
        )

    @hybrid_property
    def done_threshold(self) -> int:
        """Minutes that make a day done for an "at least" time habit: the daily target, else
        (weekly or none) any minute."""
        if self.target_minutes is not None and self.target_period == "day":
            return self.target_minutes
        return 1

    @done_threshold.inplace.expression
    @classmethod
    def _done_threshold_expression(cls) -> ColumnElement[int]:
        return case(
            (and_(cls.target_period == "day", cls.target_minutes.is_not(None)), cls.target_minutes),
            else_=1,
        )

    @property
    def rule(self) -> Rule:
        """Every rule of this habit's target: done days, met weeks, score steps."""
        return Rule.of(self)

    def __repr__(self) -> str:
        return f"<Habit {self.id} {self.name!r}>"


class HabitLog(db.Model):
    __tablename__ = "habit_log"
    __table_args__ = (
        ForeignKeyConstraint(
            ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
        ),
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes"),
        # A day's total, summed under the account's lock by every new log (migration 0014).
        Index(None, "user_id", "date", "minutes"),
        Index(None, "habit_id", "date"),
        # Covers the analytics aggregates (migration 0003): index-only scans in habit, day order.
        Index(None, "user_id", "habit_id", "date", "minutes"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    habit_id: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    habit: Mapped[Habit] = relationship(
        primaryjoin="and_(HabitLog.habit_id == Habit.id, HabitLog.user_id == Habit.user_id)",
        foreign_keys=[habit_id, user_id],
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<HabitLog {self.id} habit={self.habit_id} {self.date} {self.minutes}m>"
