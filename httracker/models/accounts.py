"""Accounts, their logged-in devices and failed logins."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import MYSQL_TABLE, UTCDateTime, fold, utcnow

if TYPE_CHECKING:
    from .habits import Habit
    from .timer import HabitTimer


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
    # The running timer, if any. The request's user is loaded with it joined in (one query
    # for every page header); timer/services.py changes the row, never through this attribute.
    timer: Mapped["HabitTimer | None"] = relationship(viewonly=True)

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
