"""The daily loop: habits, time logs and the dashboard."""

from flask import Blueprint

bp = Blueprint("habits", __name__)

# The route modules register their views on `bp`, so they are imported once it exists.
from . import day_page, days_views, logs, order_views, views  # noqa: E402, F401

__all__ = ["bp"]
