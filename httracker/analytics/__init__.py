"""Where the time goes: totals, trends, streaks and charts."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/analytics")

# The route module registers its views on `bp`, so it is imported once `bp` exists.
from . import views  # noqa: E402, F401

__all__ = ["bp"]
