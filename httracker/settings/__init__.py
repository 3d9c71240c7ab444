"""The account's settings."""

from .views import bp

__all__ = ["bp"]
