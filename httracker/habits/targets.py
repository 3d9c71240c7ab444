"""A habit's target as the forms, the services and the imports take it: kind, amount, period
and direction, checked and put in the one shape the database keeps."""

from dataclasses import dataclass

from ..changes import RuleBroken
from ..durations import format_minutes
from ..models import DIRECTIONS, KINDS, MAX_TARGET_MINUTES, MAX_TIMES_PER_WEEK, TARGET_PERIODS

TIMES_RULE = f"A weekly check habit is done 1 to {MAX_TIMES_PER_WEEK} times."
MINUTES_RULE = (
    f"A target is 1 minute to {format_minutes(MAX_TARGET_MINUTES['day'])} a day "
    f"or to {format_minutes(MAX_TARGET_MINUTES['week'])} a week."
)

PERIOD_ADJECTIVES = {"day": "daily", "week": "weekly"}


@dataclass(frozen=True)
class Target:
    """What a habit aims at: minutes (at least or at most) per day or week, or a number of
    check-offs (once a day, or 1–7 times a week)."""

    minutes: int | None = None
    period: str = "day"
    kind: str = "time"
    direction: str = "at_least"
    times: int | None = None

    def columns(self) -> dict:
        """The habit's columns for this target."""
        return {
            "kind": self.kind,
            "target_minutes": self.minutes,
            "target_period": self.period,
            "target_direction": self.direction,
            "target_times": self.times,
        }


def _choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        names = " or ".join(f"'{choice}'" for choice in choices)
        raise RuleBroken(field, f"Choose {names}.")


def checked_target(target: Target) -> Target:
    """The target in its stored shape, or RuleBroken naming the first field that breaks a rule.
    A check habit's daily target is once a day; its minutes and direction do not apply."""
    _choice("kind", target.kind, KINDS)
    _choice("target_period", target.period, TARGET_PERIODS)
    _choice("target_direction", target.direction, DIRECTIONS)
    if target.kind == "check":
        if target.direction != "at_least":
            raise RuleBroken(
                "target_direction", "A check habit is done or not: 'at most' is for time habits."
            )
        times = 1 if target.period == "day" else target.times
        if times is None or not 1 <= times <= MAX_TIMES_PER_WEEK:
            raise RuleBroken("target_times", TIMES_RULE)
        return Target(None, target.period, "check", "at_least", times)
    if target.minutes is not None:
        limit = MAX_TARGET_MINUTES[target.period]
        if not 1 <= target.minutes <= limit:
            raise RuleBroken(
                "target_minutes",
                f"A {PERIOD_ADJECTIVES[target.period]} target is 1 minute to "
                f"{format_minutes(limit)}.",
            )
    elif target.direction == "at_most":
        raise RuleBroken("target_minutes", "A limit needs its minutes: at most how long?")
    return Target(target.minutes, target.period, "time", target.direction, None)
