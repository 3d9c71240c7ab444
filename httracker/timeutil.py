"""Dates as the user sees them: "today" in their time zone, weeks from their first weekday."""

import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

EARLIEST_DATE = date(2000, 1, 1)
# Dates in URLs and JSON are YYYY-MM-DD only (fromisoformat also reads 20240101 and 2024-W01-1).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
WEEKDAY_NUMBERS = {"monday": 0, "sunday": 6}


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name the app accepts, sorted."""
    return tuple(sorted(available_timezones()))


@cache
def timezone_groups() -> dict[str, list[tuple[str, str]]]:
    """The zone names grouped by region for a select's option groups: {"Europe": [("Europe/
    Paris", "Paris"), …], …}; names without a region (UTC, legacy ones) go under "Other"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in timezone_names():
        region, _, place = name.partition("/")
        if not place or region in ("Etc", "SystemV", "US", "Canada", "Brazil", "Chile", "Mexico"):
            region, place = "Other", name
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " / ")))
    return {region: groups[region] for region in sorted(groups, key=lambda r: (r == "Other", r))}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(timezone_name: str, now: datetime | None = None) -> date:
    """The calendar date right now in the named zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(zone(timezone_name)).date()


def user_today(user) -> date:
    """Today in the user's time zone."""
    return today_in(user.timezone)


def week_start_of(day: date, week_start: str) -> date:
    """The first day of the week holding `day`, weeks starting on 'monday' or 'sunday'."""
    first = WEEKDAY_NUMBERS[week_start]
    return day - timedelta(days=(day.weekday() - first) % 7)
