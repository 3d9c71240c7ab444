"""Signed links: password reset, address confirmation and unsubscribe. Each purpose has its own
salt, so a token made for one is worthless for another."""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from . import clock

RESET_MAX_AGE = timedelta(hours=1)
CONFIRM_MAX_AGE = timedelta(days=2)


class ClockSigner(TimestampSigner):
    """Timestamps from `clock.now`, so a test can move time instead of sleeping."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"httracker.{purpose}", signer=ClockSigner
    )


def sign(purpose: str, payload: dict) -> str:
    """A URL-safe token holding `payload`, signed for `purpose`."""
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: timedelta | None = None) -> dict | None:
    """The payload of a token signed for `purpose`, or None when it is forged, altered, made
    for another purpose or older than `max_age`."""
    if not token or len(token) > 1000:
        return None
    seconds = int(max_age.total_seconds()) if max_age else None
    try:
        payload = _serializer(purpose).loads(token, max_age=seconds)
    except (BadData, UnicodeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored password hash: a reset link carries it, so the link dies
    as soon as the password changes (and so is usable once)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]
