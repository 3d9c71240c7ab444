"""Pure functions over per-day sums: days, chart buckets, weekdays and the headline totals.
Streaks, scores and success rates are the engine's (engine.py)."""

from collections.abc import Mapping
from datetime import date, timedelta

from ..timeutil import week_start_of

DAY = timedelta(days=1)


def days_between(start: date, end: date) -> list[date]:
    """Every day from start to end, inclusive."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def bucket_for(start: date, end: date) -> str:
    """Chart buckets: days up to 92 days, weeks up to two years, months beyond."""
    days = (end - start).days + 1
    if days <= 92:
        return "day"
    if days <= 731:
        return "week"
    return "month"


def bucket_start(day: date, bucket: str, week_start: str) -> date:
    if bucket == "day":
        return day
    if bucket == "month":
        return day.replace(day=1)
    return week_start_of(day, week_start)


def series(
    daily: Mapping[date, int], start: date, end: date, bucket: str, week_start: str
) -> list[dict]:
    """Zero-filled totals per bucket; the first bucket starts at the bucket holding `start`.
    Each bucket is visited once and only days with minutes are added (a ten-year range is 120
    months, not 3,650 lookups)."""
    points: dict[date, int] = {}
    key = bucket_start(start, bucket, week_start)
    while key <= end:
        points[key] = 0
        key = _next_bucket(key, bucket)
    for day, minutes in daily.items():
        if start <= day <= end:
            points[bucket_start(day, bucket, week_start)] += minutes
    return [{"start": key, "minutes": minutes} for key, minutes in points.items()]


def _next_bucket(key: date, bucket: str) -> date:
    if bucket == "day":
        return key + DAY
    if bucket == "week":
        return key + timedelta(days=7)
    return (key + timedelta(days=32)).replace(day=1)


def weekdays(daily: Mapping[date, int], start: date, end: date) -> list[dict]:
    """Total and average minutes per weekday (0 = Monday) over every day of the range."""
    totals = [0] * 7
    for day, minutes in daily.items():
        if start <= day <= end:
            totals[day.weekday()] += minutes
    length, first = (end - start).days + 1, start.weekday()
    # Whole weeks hold every weekday once; the days left over start at the range's weekday.
    counts = [length // 7 + ((weekday - first) % 7 < length % 7) for weekday in range(7)]
    return [
        {
            "weekday": weekday,
            "minutes": totals[weekday],
            "average": round(totals[weekday] / counts[weekday], 1) if counts[weekday] else 0.0,
        }
        for weekday in range(7)
    ]


def headline(daily: Mapping[date, int], start: date, end: date, previous: int) -> dict:
    """Totals of the range: minutes, days, active days, averages and the best day."""
    in_range = {day: minutes for day, minutes in daily.items() if start <= day <= end}
    minutes = sum(in_range.values())
    days = (end - start).days + 1
    active = sum(1 for value in in_range.values() if value > 0)
    best = max(in_range.items(), key=lambda item: (item[1], -item[0].toordinal()), default=None)
    return {
        "minutes": minutes,
        "days": days,
        "active_days": active,
        "average_per_day": round(minutes / days, 1),
        "average_per_active_day": round(minutes / active, 1) if active else 0.0,
        "best_day": {"date": best[0], "minutes": best[1]} if best else None,
        "previous_period_minutes": previous,
    }
