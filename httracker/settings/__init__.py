"""The account's settings: one blueprint, a module per section."""

from . import account, sessions  # noqa: F401  (their routes register on bp)
from .views import bp

__all__ = ["bp"]
