"""Per-account lockout: failed logins are rows in the database, so every worker and every app
instance counts the same attempts without extra infrastructure."""

from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select

from ..audit import audit
from ..extensions import db
from ..models import LoginFailure, User, utcnow


def recent_failures(user: User, now: datetime) -> list[datetime]:
    """Times of the account's failed logins inside the lockout window, newest first."""
    since = now - current_app.config["LOCKOUT_WINDOW"]
    query = (
        select(LoginFailure.created_at)
        .where(LoginFailure.user_id == user.id, LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc())
        .limit(current_app.config["LOCKOUT_FAILURES"])
    )
    return list(db.session.scalars(query))


def locked_until(user: User) -> datetime | None:
    """When the account can log in again, or None when it is not locked."""
    limit = current_app.config["LOCKOUT_FAILURES"]
    failures = recent_failures(user, utcnow())
    if len(failures) < limit:
        return None
    # Unlocked once the oldest of the last `limit` failures leaves the window.
    return failures[limit - 1] + current_app.config["LOCKOUT_WINDOW"]


def record_failure(user: User) -> None:
    """Count a failed login; the caller commits. Logs the lockout when this one triggers it."""
    db.session.add(LoginFailure(user_id=user.id))
    db.session.flush()
    audit("login.failure", user.id)
    since = utcnow() - current_app.config["LOCKOUT_WINDOW"]
    count = db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.user_id == user.id, LoginFailure.created_at > since)
    )
    if count == current_app.config["LOCKOUT_FAILURES"]:
        audit("login.lockout", user.id)


def clear_failures(user: User) -> None:
    """Forget the account's failed logins after a successful one."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))
