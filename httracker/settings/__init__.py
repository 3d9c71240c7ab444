"""The account's settings: one blueprint, a module per section."""

from .views import bp

__all__ = ["bp"]
