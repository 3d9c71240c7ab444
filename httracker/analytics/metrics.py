"""Pure functions over per-day sums: streaks, strength scores, buckets, weekdays."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from math import sqrt

from ..models import Habit
from ..timeutil import week_start_of

# Days of history the strength score walks. A day's weight halves every 13 days for a daily
# target or none, and every 13·√7 ≈ 34 days for a weekly one; beyond these windows (28 and 23
# half-lives) older days change a score by under one part in a million.
SCORE_WINDOW_DAYS = {"day": 370, "week": 800}
DAY = timedelta(days=1)


def score_window(habit: Habit) -> int:
    """Days of history that matter to the habit's score (see SCORE_WINDOW_DAYS)."""
    return SCORE_WINDOW_DAYS["week" if habit.weekly_target else "day"]


def smoothing(habit: Habit) -> float:
    """The score's multiplier m = 0.5 ** (sqrt(f) / 13)."""
    frequency = 1 / 7 if habit.weekly_target else 1.0
    return 0.5 ** (sqrt(frequency) / 13)


def score_history(
    day_minutes: Mapping[date, int],
    first_day: date | None,
    today: date,
    habit: Habit,
    *,
    keep_days: int = 0,
) -> tuple[float, list[tuple[date, float]]]:
    """The habit's strength score (0–100) as of today, and its value on each of the last
    `keep_days` days. `day_minutes` must hold the sums of the last score_window() + 6 days."""
    if first_day is None or first_day > today:
        return 0.0, []
    m = smoothing(habit)
    day = max(first_day, today - timedelta(days=score_window(habit)))
    window = sum(day_minutes.get(day - timedelta(days=back), 0) for back in range(7))
    keep_from = today - timedelta(days=keep_days - 1)
    # A weekly target is met by the last seven days' minutes; otherwise a day counts against
    # the done threshold (without a target that is 1, so any whole minute counts fully).
    weekly = habit.weekly_target
    goal = habit.target_minutes if weekly else habit.done_threshold
    score, history = 0.0, []
    while day <= today:
        value = min(1.0, (window if weekly else day_minutes.get(day, 0)) / goal)
        score = score * m + value * (1 - m)
        if keep_days and day >= keep_from:
            history.append((day, score * 100))
        day += DAY
        # Slide the 7-day window: add the new day, drop the one a week before it.
        window += day_minutes.get(day, 0) - day_minutes.get(day - timedelta(days=7), 0)
    return score * 100, history


def current_streak(runs: Iterable[tuple[date, date, int]], today: date) -> int:
    """Length of the run of done days ending today, or yesterday when today is not done yet."""
    for _first, last, length in runs:
        if last in (today, today - DAY):
            return length
    return 0


def current_week_streak(runs: Iterable[tuple[int, int, int]], this_week: int) -> int:
    """Length of the run of met weeks ending this week, or last week if this one is not met yet."""
    lengths = {last: length for _first, last, length in runs}
    return lengths.get(this_week, lengths.get(this_week - 1, 0))


def best_runs(runs: Iterable[tuple[date, date, int]], count: int = 5) -> list[tuple]:
    """The longest runs, longest first and the most recent first among equals."""
    return sorted(runs, key=lambda run: (run[2], run[1]), reverse=True)[:count]


def success_rate(met: int, counted: int) -> float | None:
    """Share of periods that met the target, or None when no period counts yet."""
    return round(met / counted, 4) if counted else None


def counted_days(start: date, end: date, first_day: date | None, today: date) -> int:
    """Days of the range from the habit's first log on, up to today."""
    if first_day is None:
        return 0
    first, last = max(start, first_day), min(end, today)
    return max(0, (last - first).days + 1)


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
    """Zero-filled totals per bucket; the first bucket starts at the bucket holding `start`."""
    points: dict[date, int] = {}
    for day in days_between(start, end):
        key = bucket_start(day, bucket, week_start)
        points[key] = points.get(key, 0) + daily.get(day, 0)
    return [{"start": key, "minutes": minutes} for key, minutes in points.items()]


def weekdays(daily: Mapping[date, int], start: date, end: date) -> list[dict]:
    """Total and average minutes per weekday (0 = Monday) over every day of the range."""
    totals, counts = [0] * 7, [0] * 7
    for day in days_between(start, end):
        totals[day.weekday()] += daily.get(day, 0)
        counts[day.weekday()] += 1
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
