"""Accounts: register, log in, log out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

# The route module registers its views on `bp`, so it is imported once `bp` exists.
from . import passkey_views, second_step, views  # noqa: E402, F401

__all__ = ["bp"]
