"""Where the time goes: totals, trends, streaks and charts."""

from .views import bp

__all__ = ["bp"]
