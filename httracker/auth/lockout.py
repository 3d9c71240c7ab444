"""Lockouts that cap guessing without locking the owner out (OWASP's device cookies).

Failed logins are rows in the database, so every worker and instance counts the same attempts.
Each attempt counts against one *subject*:

- a browser holding a valid device cookie for the account: its own small allowance
  (`DEVICE_LOCKOUT_FAILURES`), untouched by what anybody else does;
- every other client of the account ("untrusted"): `LOCKOUT_FAILURES` in `LOCKOUT_WINDOW`;
- a name no account has: counted the same way under a hash of the name, so an unknown name
  locks exactly like a real one and the lock tells nothing about which names exist.

While a subject is locked no password check runs: the answer cannot depend on the password."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select

from ..audit import audit
from ..extensions import db
from ..models import LoginFailure, User, fold, utcnow


@dataclass(frozen=True)
class Subject:
    """What a login attempt counts against (see the module docstring)."""

    user_id: int | None
    device: str | None = None
    name_key: str | None = None

    @property
    def limit(self) -> int:
        name = "DEVICE_LOCKOUT_FAILURES" if self.device else "LOCKOUT_FAILURES"
        return current_app.config[name]

    def where(self):
        if self.user_id is None:
            return (LoginFailure.user_id.is_(None), LoginFailure.name_key == self.name_key)
        device = (
            LoginFailure.device.is_(None)
            if self.device is None
            else (LoginFailure.device == self.device)
        )
        return (LoginFailure.user_id == self.user_id, device)


def name_key(login: str) -> str:
    """The key an unknown login name is counted under (its folded SHA-256; not the name)."""
    return hashlib.sha256(fold((login or "").strip()).encode("utf-8", "surrogatepass")).hexdigest()


def subject_for(user: User | None, login: str, device: str | None) -> Subject:
    """The subject of an attempt naming `login` (found as `user`) from `device` (a device
    cookie's id, already checked to belong to `user`; None for untrusted clients)."""
    if user is None:
        return Subject(None, None, name_key(login))
    return Subject(user.id, device)


def device_session_subject(user: User, session_id: int | None) -> Subject:
    """A logged-in browser re-entering its password: counted per session, like a device."""
    return Subject(user.id, f"session:{session_id}")


def recent_failures(subject: Subject, now: datetime) -> list[datetime]:
    """Times of the subject's failures inside the lockout window, newest first."""
    since = now - current_app.config["LOCKOUT_WINDOW"]
    query = (
        select(LoginFailure.created_at)
        .where(*subject.where(), LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc())
        .limit(subject.limit)
    )
    return list(db.session.scalars(query))


def retry_after(until: datetime) -> dict[str, str]:
    """The Retry-After header of a locked answer: whole seconds until the lock ends."""
    return {"Retry-After": str(max(1, int((until - utcnow()).total_seconds())))}


def locked_until(subject: Subject) -> datetime | None:
    """When the subject may try again, or None when it is not locked."""
    failures = recent_failures(subject, utcnow())
    if len(failures) < subject.limit:
        return None
    # Unlocked once the oldest of the last `limit` failures leaves the window.
    return failures[subject.limit - 1] + current_app.config["LOCKOUT_WINDOW"]


def record_failure(subject: Subject) -> None:
    """Count a failed attempt (added and flushed; the caller commits). Logs the lockout when
    this one triggers it."""
    now = utcnow()
    since = now - current_app.config["LOCKOUT_WINDOW"]
    if subject.user_id is None:
        # Names nobody has are not kept past the window.
        db.session.execute(
            delete(LoginFailure).where(*subject.where(), LoginFailure.created_at <= since)
        )
    db.session.add(
        LoginFailure(
            user_id=subject.user_id,
            device=subject.device,
            name_key=subject.name_key,
            created_at=now,
        )
    )
    db.session.flush()
    audit("login.failure", subject.user_id, trusted=subject.device is not None)
    count = db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(*subject.where(), LoginFailure.created_at > since)
    )
    if count == subject.limit:
        audit("login.lockout", subject.user_id, trusted=subject.device is not None)


def clear_failures(subject: Subject) -> None:
    """Forget the subject's failures after a successful login (not the other subjects': the
    owner logging in from a known browser does not reset what an attacker has spent)."""
    db.session.execute(delete(LoginFailure).where(*subject.where()))


def unlock(user: User) -> int:
    """Forget every failure counted against the account (operators, password changes)."""
    return db.session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id)).rowcount
