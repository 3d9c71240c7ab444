"""The time series split by habit: the habits with the most time in the range each get their
own layer (in their colour), the rest add up to "Other". Built from the per-habit minutes the
report has already read, so it costs no query."""

from dataclasses import dataclass

from . import metrics
from .results import Overview

TOP_HABITS = 5


@dataclass(frozen=True)
class Layer:
    label: str
    colour: str | None  # a palette key; None for "Other"
    minutes: tuple[int, ...]  # one number per point of the series

    @property
    def total(self) -> int:
        return sum(self.minutes)


def layers(data: Overview, week_start: str, top: int = TOP_HABITS) -> list[Layer]:
    """The stacked layers of `data.points`, largest first; they add up to the series."""
    ranked = sorted(
        (row for row in data.habits if row.minutes > 0),
        key=lambda row: (-row.minutes, row.habit.position, row.habit.id),
    )
    own, rest = ranked[:top], ranked[top:]
    if len(rest) == 1:  # "Other" of one habit is just that habit
        own, rest = ranked, []

    def points(rows) -> tuple[int, ...]:
        daily: dict = {}
        for row in rows:
            for day, minutes in row.stats.history.minutes.items():
                if data.start <= day <= data.end:
                    daily[day] = daily.get(day, 0) + minutes
        series = metrics.series(daily, data.start, data.end, data.bucket, week_start)
        return tuple(point["minutes"] for point in series)

    result = [Layer(row.habit.name, row.habit.colour, points([row])) for row in own]
    if rest:
        result.append(Layer(f"Other ({len(rest)} habits)", None, points(rest)))
    return result
