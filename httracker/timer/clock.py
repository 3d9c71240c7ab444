"""Timer arithmetic, free of the database: the time between two moments split at the user's
midnights, whole minutes from seconds, and the start time a person types ("10m ago", "14:05")."""

import re
from datetime import UTC, date, datetime, time, timedelta

from ..changes import RuleBroken
from ..durations import DurationError, parse_minutes
from ..formatting import short_date
from ..timeutil import zone

# Under this a stop logs nothing: a press of Start followed at once by Stop is not time spent.
MIN_SECONDS = 30
# A timer that ran longer is probably one that was forgotten: its stop asks first.
LONG_RUN = timedelta(hours=12)
# How far back a timer may be started ("I forgot to press Start").
MAX_BACKDATE = timedelta(hours=24)
TOO_EARLY = "Start a timer at most 24 hours ago; log longer times with the log form."
STARTED_HELP = "Say when you started: 10m ago, 1h30 ago, or a time today such as 14:05."
CLOCK_TIME = re.compile(r"(?P<h>\d{1,2}):(?P<m>[0-5]\d)")


def whole_minutes(seconds: float) -> int:
    """Seconds to minutes, half a minute and more rounding up."""
    return int((seconds + 30) // 60)


def seconds_by_day(start: datetime, end: datetime, timezone_name: str) -> list[tuple[date, float]]:
    """The seconds from `start` to `end` on each calendar day of the zone, in day order.

    Days are cut at the zone's midnights, so a day with a clock change holds 23 or 25 hours.
    Arithmetic is done in UTC: Python compares two times of one zone by their wall clocks."""
    tz = zone(timezone_name)
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    day = cursor.astimezone(tz).date()
    days = []
    while cursor < end:
        midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        if midnight > cursor:
            stop = min(end, midnight)
            days.append((day, (stop - cursor).total_seconds()))
            cursor = stop
        day += timedelta(days=1)
    return days


def minutes_by_day(days: list[tuple[date, float]]) -> list[tuple[date, int]]:
    """Whole minutes per day that add up to the rounded total: each day gets the rounded running
    total less what the days before it got. Days left with no minute are dropped."""
    result, seconds, given = [], 0.0, 0
    for day, day_seconds in days:
        seconds += day_seconds
        minutes = whole_minutes(seconds) - given
        given += minutes
        if minutes:
            result.append((day, minutes))
    return result


def check_started(started_at: datetime, now: datetime) -> None:
    """Raise RuleBroken unless a timer start lies between MAX_BACKDATE ago and now."""
    if started_at > now:
        raise RuleBroken("started", "That time is still to come: a timer starts now or earlier.")
    if now - started_at > MAX_BACKDATE:
        raise RuleBroken("started", TOO_EARLY)


def local_clock(moment: datetime, now: datetime, timezone_name: str) -> str:
    """A moment as the person's clock showed it: '14:05' today, 'Thu 19 Nov, 22:30' on another
    day (both in the zone)."""
    tz = zone(timezone_name)
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return f"{short_date(local)}, {local:%H:%M}"


def parse_started(text: str | None, now: datetime, timezone_name: str) -> datetime:
    """The moment a typed start means: empty or "now" is `now`; "10", "10m", "1h30" or "1:30"
    followed by "ago" (optional but for h:mm) go back that long; "14:05" is that time today in
    the zone. RuleBroken("started") for anything else; bounds are check_started's."""
    cleaned = " ".join((text or "").lower().split())
    if cleaned in ("", "now"):
        return now
    back = cleaned.removesuffix("ago").strip()
    clock = CLOCK_TIME.fullmatch(cleaned) if back == cleaned else None
    if clock:
        hour, minute = int(clock["h"]), int(clock["m"])
        if hour > 23:
            raise RuleBroken("started", STARTED_HELP)
        tz = zone(timezone_name)
        today = now.astimezone(tz).date()
        return datetime.combine(today, time(hour, minute), tzinfo=tz).astimezone(UTC)
    try:
        minutes = parse_minutes(back)
    except DurationError:
        raise RuleBroken("started", STARTED_HELP) from None
    if minutes > MAX_BACKDATE.total_seconds() // 60:
        raise RuleBroken("started", TOO_EARLY)
    return now - timedelta(minutes=minutes)
