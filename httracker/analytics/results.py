"""What the analytics report hands to views and templates: small frozen records, each with a
to_json() for /analytics/data.json (schema in the README)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..models import Habit
from .engine import History, Walk

# A run of done days (first day, last day, length in days).
Run = tuple[date, date, int]


@dataclass(frozen=True)
class HabitStats:
    """A habit's streaks and strength score as of today; the history behind them and each day's
    state from the first counted day (`first_day`) to today."""

    first_day: date | None
    history: History
    walk: Walk
    current_streak: int
    longest_streak: int
    best_streaks: tuple[Run, ...]
    week_streak: int | None
    score: float
    score_history: tuple[tuple[date, float], ...]

    def to_json(self) -> dict:
        """The streak and score fields of a habit in data.json."""
        return {
            "current_streak": self.current_streak,
            "longest_streak": self.longest_streak,
            "week_streak": self.week_streak,
            "score": self.score,
        }


@dataclass(frozen=True)
class HabitRow:
    """A habit's line in the overview: its sums within the range, its stats as of today."""

    habit: Habit
    minutes: int
    days_logged: int
    checks: int
    skipped_days: int
    target_success_rate: float | None
    stats: HabitStats

    def to_json(self) -> dict:
        """The habit's entry in data.json's `habits`."""
        habit = self.habit
        return {
            "id": habit.id,
            "name": habit.name,
            "category": habit.category,
            "archived": habit.archived,
            "target_minutes": habit.target_minutes,
            "target_period": habit.target_period,
            "kind": habit.kind,
            "target_direction": habit.target_direction,
            "target_times": habit.target_times,
            "minutes": self.minutes,
            "days_logged": self.days_logged,
            "checks": self.checks,
            "skipped_days": self.skipped_days,
            "target_success_rate": self.target_success_rate,
            **self.stats.to_json(),
        }


@dataclass(frozen=True)
class Choices:
    """What the filter form offers: every habit of the user (id, name) and every category."""

    habits: tuple[tuple[int, str], ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """Everything /analytics/ shows for one range; the page-only parts (the heatmap, today and
    the filter choices) stay out of to_json()."""

    start: date
    end: date
    today: date
    totals: dict
    habits: tuple[HabitRow, ...]
    categories: tuple[dict, ...]
    bucket: str
    points: tuple[dict, ...]
    daily: Mapping[date, int]
    weekdays: tuple[dict, ...]
    heatmap: Mapping[date, int]
    choices: Choices

    def to_json(self) -> dict:
        """The /analytics/data.json document, dates as YYYY-MM-DD."""
        head = _iso_dates(
            {
                "range": {"start": self.start, "end": self.end},
                "totals": self.totals,
                "habits": [row.to_json() for row in self.habits],
                "categories": list(self.categories),
                "series": {"bucket": self.bucket, "points": list(self.points)},
            }
        )
        # One entry per day of the range (years of them for `all`): written directly.
        daily = [{"date": day.isoformat(), "minutes": value} for day, value in self.daily.items()]
        return {**head, "daily": daily, "weekdays": list(self.weekdays)}


def _iso_dates(value):
    """Dates as YYYY-MM-DD (Flask would otherwise write HTTP dates)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    return value
