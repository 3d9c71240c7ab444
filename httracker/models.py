"""The whole schema: users, their habits and the minutes they log."""

from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    case,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Binary collation on MySQL/MariaDB, so text compares the same way as on PostgreSQL and SQLite;
# case-insensitive uniqueness comes from the *_key columns, folded in Python.
MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
WEEK_STARTS = ("monday", "sunday")
TARGET_PERIODS = ("day", "week")
MAX_DAY_MINUTES = 1440
MAX_WEEK_MINUTES = 7 * MAX_DAY_MINUTES
# The largest target each period can ask for.
MAX_TARGET_MINUTES = {"day": MAX_DAY_MINUTES, "week": MAX_WEEK_MINUTES}
# Text lengths, checked by forms and services before the columns below would refuse them.
NAME_MAX, CATEGORY_MAX, NOTE_MAX = 80, 40, 500


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A UTC timestamp, always read back timezone-aware (MySQL and SQLite drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def fold(text: str) -> str:
    """The key under which names are unique regardless of letter case."""
    return text.casefold()


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("week_start IN ('monday', 'sunday')", name="week_start"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    week_start: Mapped[str] = mapped_column(String(6), default="monday", server_default="monday")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Made by `flask demo`, which may empty and refill it; it refuses every other account.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    habits: Mapped[list["Habit"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The device session this object was loaded through (see auth/sessions.py); not a column.
    session_token = None
    session_id = None

    def __init__(self, **fields):
        super().__init__(**fields)
        if self.username is not None:
            self.username_key = fold(self.username)

    def get_id(self) -> str | None:
        """Flask-Login's id is the device session's token, so ending the row ends the login."""
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


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
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX))
    category: Mapped[str] = mapped_column(String(CATEGORY_MAX), default="", server_default="")
    target_minutes: Mapped[int | None] = mapped_column(Integer)
    target_period: Mapped[str] = mapped_column(String(4), default="day", server_default="day")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="habits")

    def __init__(self, **fields):
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
        """Whether the habit's target counts minutes per week (not per day, and not none)."""
        return self.target_minutes is not None and self.target_period == "week"

    @weekly_target.inplace.expression
    @classmethod
    def _weekly_target_expression(cls) -> ColumnElement[bool]:
        return and_(cls.target_minutes.is_not(None), cls.target_period == "week")

    @hybrid_property
    def done_threshold(self) -> int:
        """Minutes that make a day done: the daily target, else (weekly or none) any minute."""
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

    def __repr__(self) -> str:
        return f"<Habit {self.id} {self.name!r}>"


class HabitLog(db.Model):
    __tablename__ = "habit_log"
    __table_args__ = (
        ForeignKeyConstraint(
            ["habit_id", "user_id"], ["habit.id", "habit.user_id"], ondelete="CASCADE"
        ),
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes"),
        Index(None, "user_id", "date"),
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


class UserSession(db.Model):
    """One logged-in device; deleting the row ends that login everywhere."""

    __tablename__ = "user_session"
    __table_args__ = (Index(None, "user_id", "last_seen_at"), MYSQL_TABLE)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="", server_default="")
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="")

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class LoginFailure(db.Model):
    """A failed login for an existing account, counted for the per-account lockout."""

    __tablename__ = "login_failure"
    __table_args__ = (Index(None, "user_id", "created_at"), MYSQL_TABLE)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
