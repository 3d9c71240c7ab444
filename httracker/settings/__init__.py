"""The account's settings: one blueprint, a module per section."""

from . import account, data, preferences, sessions  # noqa: F401 - each registers its routes on bp
from .views import bp

__all__ = ["bp"]
