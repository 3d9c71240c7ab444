"""The daily loop: habits, time logs and the dashboard."""

from .views import bp

__all__ = ["bp"]
