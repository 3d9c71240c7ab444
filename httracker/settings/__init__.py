"""The account's settings: one blueprint, a module per section."""

from . import data  # noqa: F401 - registers the export and import routes on bp
from .views import bp

__all__ = ["bp"]
