"""Personal access tokens for the API: made with a name, a scope and an optional expiry, shown
once, kept only as a SHA-256 (a token has 256 random bits, so a fast hash is enough), and
revoked by deleting the row."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from .. import versions
from ..audit import audit
from ..changes import RuleBroken
from ..extensions import db
from ..models import TOKEN_NAME_MAX, TOKEN_SCOPES, ApiToken, User, utcnow
from .sessions import TOUCH_INTERVAL, hash_token

PREFIX = "htt_"  # every token starts with it, so a leaked one is easy to spot
# Longer than any token we make; anything longer is not looked up at all.
TOKEN_MAX_LENGTH = 128
EXPIRY_DAYS = (7, 30, 90, 365)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the secret the person sees this once."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenUser:
    """Who a valid token authenticates, and the token's row."""

    user: User
    token: ApiToken


def check_token_fields(name: str, scope: str, expires_in_days: int | None) -> None:
    """Raise RuleBroken for the first token field that breaks a rule."""
    if not 1 <= len(name) <= TOKEN_NAME_MAX:
        raise RuleBroken("name", f"Use 1–{TOKEN_NAME_MAX} characters.")
    if scope not in TOKEN_SCOPES:
        raise RuleBroken("scope", "Choose 'read' or 'write'.")
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        raise RuleBroken("expires_in_days", "Choose one of the offered expiries.")


def create_token(user: User, name: str, scope: str, expires_in_days: int | None = None) -> NewToken:
    """Add a token for the user; the secret is returned here and never again."""
    name = name.strip()
    check_token_fields(name, scope, expires_in_days)
    secret = PREFIX + secrets.token_urlsafe(32)
    # Whole seconds: every database keeps them as they are (MariaDB drops fractions).
    now = utcnow().replace(microsecond=0)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(
        created_at=now,
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        prefix=secret[:12],
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    audit("token.created", user.id, token_id=token.id, scope=scope)
    return NewToken(token, secret)


def tokens_of(user: User):
    """The user's tokens, the newest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def revoke_token(user: User, token_id: int) -> bool:
    """Delete one of the user's tokens; False when it is not theirs or already gone."""
    query = delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    revoked = db.session.execute(query).rowcount == 1
    if revoked:
        audit("token.revoked", user.id, token_id=token_id)
    return revoked


def revoke_tokens(user: User) -> int:
    """Delete every token of the user (a new password, a deleted account); how many."""
    count = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    audit("tokens.revoked", user.id, count=count)
    return count


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now >= expires_at


def load_token_user(secret: str) -> TokenUser | None:
    """The user and token of a live bearer token, touching `last_used_at` at most once a
    minute; None for an unknown, revoked or expired one.

    Like a device session, the row is read and touched on a short transaction of its own
    before the request's session begins, so the request keeps its one commit point."""
    if not secret or len(secret) > TOKEN_MAX_LENGTH or not secret.startswith(PREFIX):
        return None
    now = utcnow()
    with db.engine.begin() as connection:
        row = connection.execute(
            select(ApiToken.id, ApiToken.expires_at, ApiToken.last_used_at).where(
                ApiToken.token_hash == hash_token(secret)
            )
        ).one_or_none()
        if row is None or is_expired(row.expires_at, now):
            return None
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
            connection.execute(
                update(ApiToken)
                .where(ApiToken.id == row.id)
                .values(last_used_at=now.replace(microsecond=0))
            )
    # Nothing of the account read before the user (the token is no data a page shows): the
    # version read with it is noted, and a write that finds it unmoved reads its habits once.
    first = not db.session.identity_map
    token = db.session.get(ApiToken, row.id)
    user = db.session.get(User, token.user_id) if token is not None else None
    if token is None or user is None:
        return None
    if first:
        versions.seen(db.session(), user)
    return TokenUser(user, token)
