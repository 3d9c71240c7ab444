"""The timer: start when you begin, stop when you are done, and the minutes log themselves."""

from flask import Blueprint

bp = Blueprint("timer", __name__, url_prefix="/timer")

# The route module registers its views on `bp`, so it is imported once `bp` exists.
from . import views  # noqa: E402, F401

__all__ = ["bp"]
