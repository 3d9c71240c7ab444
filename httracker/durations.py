"""Durations as people type them ("90", "90 min", "1:30", "1h30", "1h 30m", "1.5h",
"2 hours", "1 h") and shown back."""

import re
from decimal import Decimal

ACCEPTED_FORMS = "90, 1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours"
_HOURS = r"(?:h|hr|hrs|hours?)"
_MINUTES = r"(?:m|min|mins|minutes?)"
_PATTERNS = (
    re.compile(rf"(?P<m>\d{{1,5}})\s*{_MINUTES}?"),
    re.compile(r"(?P<h>\d{1,3}):(?P<m>[0-5]\d)"),
    re.compile(rf"(?P<h>\d{{1,3}})\s*{_HOURS}(?:\s*(?P<m>[0-5]?\d)\s*{_MINUTES}?)?"),
    re.compile(rf"(?P<d>\d{{0,3}}[.,]\d{{1,2}})\s*{_HOURS}"),
)


class DurationError(ValueError):
    """The text is not a duration in one of the accepted forms."""


def parse_minutes(text: str | None) -> int:
    """Minutes in `text`, or DurationError naming the accepted forms."""
    cleaned = (text or "").strip().lower()
    for pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            groups = match.groupdict()
            if groups.get("d"):
                # Decimal hours, to the nearest minute: 1.5h is 90, 0.25h is 15.
                return int((Decimal(groups["d"].replace(",", ".")) * 60).to_integral_value())
            hours = int(groups.get("h") or 0)
            minutes = int(groups.get("m") or 0)
            return hours * 60 + minutes
    raise DurationError(f"Enter a duration such as {ACCEPTED_FORMS}.")


def format_minutes(minutes: int | None) -> str:
    """'1h 30m', '45m', '2h', '0m'."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    if hours:
        return f"{hours}h"
    return f"{rest}m"


def format_hmm(minutes: int | None) -> str:
    """'1:30', '0:05', '120:00' — totals as hours and minutes."""
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours}:{rest:02d}"
