"""The daily loop: habits, time logs and the dashboard."""

from . import logs  # noqa: F401  (registers the log routes on bp)
from .views import bp

__all__ = ["bp"]
