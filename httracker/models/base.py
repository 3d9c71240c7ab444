"""What every table shares: the MySQL table options, text lengths and limits, case folding,
and timezone-aware UTC timestamps."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# Binary collation on MySQL/MariaDB, so text compares the same way as on PostgreSQL and SQLite;
# case-insensitive uniqueness comes from the *_key columns, folded in Python.
MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
WEEK_STARTS = ("monday", "sunday")
MAX_DAY_MINUTES = 1440
MAX_WEEK_MINUTES = 7 * MAX_DAY_MINUTES
# The largest target each period can ask for.
MAX_TARGET_MINUTES = {"day": MAX_DAY_MINUTES, "week": MAX_WEEK_MINUTES}
# Text lengths, checked by forms and services before the columns below would refuse them.
NAME_MAX, CATEGORY_MAX, NOTE_MAX = 80, 40, 500


def fold(text: str) -> str:
    """The key under which names are unique regardless of letter case."""
    return text.casefold()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A UTC timestamp, always read back timezone-aware (MySQL and SQLite drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)
