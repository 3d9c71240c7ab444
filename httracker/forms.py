"""Form pieces every blueprint (and the CLI) shares."""

import re

from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{3,32}")


def strip(value):
    """A field filter: surrounding whitespace off, non-strings left alone."""
    return value.strip() if isinstance(value, str) else value


def validate_username_format(username: str) -> str | None:
    """An error message for a malformed username, or None."""
    if not USERNAME_PATTERN.fullmatch(username or ""):
        return "Use 3–32 letters, digits, '_', '.' or '-'."
    return None


class AppForm(FlaskForm):
    """The base of the site's forms. CSRFProtect checks the token of every POST before any
    view runs (400 without a valid one), and pages put the token in with `csrf_token()`: a
    form carries no CSRF field of its own, which would only check it again and sign a fresh
    token each time it is built, shown or not.

    The routes CSRFProtect leaves out (the token API, the one-click unsubscribe) take no form."""

    class Meta:
        csrf = False


def csrf_field() -> Markup:
    """The hidden field that carries the session's CSRF token in a page's form (templates call
    it as `csrf_field()`)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())
