"""The account's settings: one blueprint, a module per section."""

from . import preferences  # noqa: F401  (registers its routes on bp)
from .views import bp

__all__ = ["bp"]
