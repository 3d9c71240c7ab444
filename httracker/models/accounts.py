"""Accounts, their logged-in devices and failed logins."""

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
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
    # Email (when the site sends mail): the address confirmed by a link; a new address waiting
    # for its link; the weekly summary asked for, and the first day of the week last summed up.
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pending_email: Mapped[str | None] = mapped_column(String(254))
    weekly_summary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    summary_sent_for: Mapped[date | None] = mapped_column(Date)
    # Bumped by every password change: device cookies naming an older one are worthless.
    credential_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Two-factor login: the TOTP secret once confirmed, and the last time step accepted.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Moved by every change to the account's rows, in the change's transaction (versions.py):
    # a page rendered at one version is current while it stands (pagecache.py). A new account
    # starts at a random one, so an id SQLite hands out again never meets an old page.
    data_version: Mapped[int] = mapped_column(
        BigInteger, default=lambda: secrets.randbelow(2**48), server_default="0"
    )

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
    """A failed login, counted for a lockout: of an account from a browser holding its device
    cookie (`device` set), of an account from untrusted clients (`device` None), or of a name
    no account has (`user_id` None, `name_key` set), so unknown names lock like real ones."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index(None, "user_id", "created_at"),
        Index(None, "name_key", "created_at"),
        CheckConstraint("user_id IS NOT NULL OR name_key IS NOT NULL", name="subject"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    device: Mapped[str | None] = mapped_column(String(64))
    name_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
