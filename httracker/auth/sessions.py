"""Device sessions: each login is a `user_session` row whose random token is Flask-Login's id.

The cookie holds the token, the database only its SHA-256; deleting the row ends the login for
the session cookie and the remember-me cookie alike, on every worker and instance."""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import versions
from ..audit import audit, client_ip
from ..database import ahead_of_the_transaction
from ..extensions import db
from ..models import HabitTimer, User, UserSession, utcnow

TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(user: User, remember: bool = False) -> UserSession:
    """Add a session row for a fresh login and make it the id Flask-Login will store."""
    token = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "") if has_request_context() else ""
    row = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        remember=remember,
        user_agent=agent[:255],
        ip=client_ip()[:45],
    )
    db.session.add(row)
    db.session.flush()
    user.session_token, user.session_id = token, row.id
    return row


def is_expired(row: UserSession, now: datetime) -> bool:
    """Idle past its limit (longer for remembered devices), or past the absolute limit."""
    config = current_app.config
    idle = config["REMEMBER_IDLE_TIMEOUT"] if row.remember else config["SESSION_IDLE_TIMEOUT"]
    too_old = now - row.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]
    return too_old or now - row.last_seen_at > idle


SESSION_COLUMNS = (
    UserSession.id.label("session_id"),
    UserSession.user_id.label("user_id"),
    UserSession.remember.label("remember"),
    UserSession.created_at.label("created_at"),
    UserSession.last_seen_at.label("last_seen_at"),
)
# Built once (every request runs one): the session row, its user and a running timer's id.
SESSION_USER = (
    select(User, *SESSION_COLUMNS, HabitTimer.id.label("timer_id"))
    .join(UserSession)
    .outerjoin(HabitTimer, HabitTimer.user_id == User.id)
    .where(UserSession.token_hash == bindparam("digest"))
)
SESSION_ROW = select(*SESSION_COLUMNS).where(UserSession.token_hash == bindparam("digest"))


def load_session_user(token: str) -> User | None:
    """The user of a live session token, touching `last_seen_at` at most once a minute.

    The touch is a short transaction of its own, on its own connection: it commits nothing the
    request has started (its commit point stays one). On PostgreSQL and MariaDB the session
    row and the user (with the id of a running timer, which every page's header shows; the
    timer and its habit are read only when there is one) are one read, which locks nothing the
    touch needs: on MariaDB in the request's transaction, on PostgreSQL ahead of it
    (database.ahead_of_the_transaction). On SQLite, where a transaction holds the
    write lock from its start, the session row is read and touched before the request's
    transaction begins, so the touch never waits on it."""
    if not token or len(token) > 128:
        return None
    now, digest = utcnow(), hash_token(token)
    if db.session.get_bind().dialect.name == "sqlite":
        with db.engine.begin() as connection:
            row = connection.execute(SESSION_ROW, {"digest": digest}).one_or_none()
            if row is None or is_expired(row, now):
                return None
            _touch(connection, row, now)
        first = not db.session.identity_map
        timer = joinedload(User.timer).joinedload(HabitTimer.habit)
        user = db.session.get(User, row.user_id, options=[timer])
        if first and user is not None:
            versions.seen(db.session(), user)
    else:
        first = not db.session.identity_map
        with ahead_of_the_transaction(db.session()):
            row = db.session.execute(SESSION_USER, {"digest": digest}).one_or_none()
        if row is None or is_expired(row, now):
            return None
        if first:
            versions.seen(db.session(), row.User)
        if now - row.last_seen_at >= TOUCH_INTERVAL:
            with db.engine.begin() as connection:
                _touch(connection, row, now)
        user = row.User
        # Most of the time no timer runs: its id says so, without loading two more entities.
        running = None
        if row.timer_id is not None:
            with ahead_of_the_transaction(db.session()):
                running = db.session.get(
                    HabitTimer, row.timer_id, options=[joinedload(HabitTimer.habit)]
                )
        set_committed_value(user, "timer", running)
    if user is not None:
        user.session_token, user.session_id = token, row.session_id
    return user


def _touch(connection, row, now: datetime) -> None:
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        connection.execute(
            update(UserSession).where(UserSession.id == row.session_id).values(last_seen_at=now)
        )


def end_session(user: User) -> None:
    """Delete the session the user is logged in through (logout)."""
    if user.session_id is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == user.session_id))


def revoke_sessions(user: User, except_session: int | None = None) -> int:
    """Delete the user's sessions, all or all but one (an id); returns how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if except_session is not None:
        query = query.where(UserSession.id != except_session)
    count = db.session.execute(query).rowcount
    audit("sessions.revoked", user.id, count=count, kept=except_session)
    return count


def revoke_session(user: User, session_id: int) -> bool:
    """Delete one of the user's own sessions; False when it is not theirs or already gone."""
    query = delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    ended = db.session.execute(query).rowcount == 1
    if ended:
        audit("session.revoked", user.id, session_id=session_id)
    return ended


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    query = (
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    now = utcnow()
    return [row for row in db.session.scalars(query) if not is_expired(row, now)]


AGENTS = (
    ("Edge", re.compile(r"Edg/")),
    ("Opera", re.compile(r"OPR/")),
    ("Firefox", re.compile(r"Firefox/")),
    ("Chrome", re.compile(r"Chrome/")),
    ("Safari", re.compile(r"Safari/")),
    ("curl", re.compile(r"^curl/")),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_agent(agent: str) -> str:
    """'Firefox on Linux' from a User-Agent header; 'Unknown device' when it says nothing useful."""
    browser = next((name for name, pattern in AGENTS if pattern.search(agent or "")), None)
    system = next((name for marker, name in SYSTEMS if marker in (agent or "")), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
