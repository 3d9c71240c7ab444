"""Form pieces every blueprint (and the CLI) shares."""

import re

from flask_wtf import FlaskForm

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{3,32}")


def strip(value):
    """A field filter: surrounding whitespace off, non-strings left alone."""
    return value.strip() if isinstance(value, str) else value


def validate_username_format(username: str) -> str | None:
    """An error message for a malformed username, or None."""
    if not USERNAME_PATTERN.fullmatch(username or ""):
        return "Use 3–32 letters, digits, '_', '.' or '-'."
    return None


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for POST buttons.

    CSRFProtect rejects a POST without a valid token (400) before any view runs, so a view
    never needs a failure branch for this form."""
