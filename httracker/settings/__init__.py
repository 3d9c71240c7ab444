"""The account's settings: one blueprint, a module per section."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

# Each section's module registers its views on `bp`, so they are imported once it exists.
from . import (  # noqa: E402, F401
    account,
    breaks,
    data,
    imports,
    passkeys,
    preferences,
    sessions,
    tokens,
    twofactor,
    views,
)

__all__ = ["bp"]
