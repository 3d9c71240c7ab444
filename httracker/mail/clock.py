"""The current moment for mail and its links, in one place so tests can move it."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    return datetime.now(UTC)
