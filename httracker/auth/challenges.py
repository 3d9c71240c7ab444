"""Server-side state between the steps of a login (`login_challenge` rows).

The browser's session holds a random token; the database holds its SHA-256 with which account
passed the password, from which device, and whether to remember it. A row lives for
LOGIN_CHALLENGE_LIFETIME and is deleted when used, so a copied cookie is worth little."""

import secrets

from flask import current_app, session
from sqlalchemy import delete, select

from ..extensions import db
from ..models import LoginChallenge, User, utcnow
from .sessions import hash_token


def session_key(kind: str) -> str:
    return f"challenge:{kind}"


def start_challenge(
    kind: str,
    user: User | None = None,
    device: str | None = None,
    remember: bool = False,
    challenge: str | None = None,
) -> LoginChallenge:
    """Add a challenge row (flushed) and keep its token in the browser's session; expired rows
    of every account go at the same time."""
    now = utcnow()
    lifetime = current_app.config["LOGIN_CHALLENGE_LIFETIME"]
    db.session.execute(delete(LoginChallenge).where(LoginChallenge.created_at < now - lifetime))
    token = secrets.token_urlsafe(32)
    row = LoginChallenge(
        user_id=user.id if user else None,
        token_hash=hash_token(token),
        kind=kind,
        device=device,
        remember=remember,
        challenge=challenge,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    session[session_key(kind)] = token
    return row


def current_challenge(kind: str) -> LoginChallenge | None:
    """The live challenge of `kind` this browser's session names, or None."""
    token = session.get(session_key(kind))
    if not isinstance(token, str) or len(token) > 128:
        return None
    row = db.session.scalar(
        select(LoginChallenge).where(
            LoginChallenge.token_hash == hash_token(token), LoginChallenge.kind == kind
        )
    )
    lifetime = current_app.config["LOGIN_CHALLENGE_LIFETIME"]
    if row is None or utcnow() - row.created_at > lifetime:
        return None
    return row


def end_challenge(row: LoginChallenge) -> None:
    """Delete a used (or abandoned) challenge."""
    db.session.execute(delete(LoginChallenge).where(LoginChallenge.id == row.id))
    session.pop(session_key(row.kind), None)
