"""What each kind of habit counts as a done day, a met week and a step of the strength score.

One definition, used by the analytics engine and the pages; a habit hands out its own through
`Habit.rule`. The README's analytics section states the same rules in words."""

from dataclasses import dataclass
from math import ceil, sqrt

KINDS = ("time", "check")
MAX_TIMES_PER_WEEK = 7
DIRECTIONS = ("at_least", "at_most")
TARGET_PERIODS = ("day", "week")
DAYS_PER_WEEK = 7
# Days of history the strength score walks. A day's weight halves every 13/√f days; beyond
# these windows (28 or more half-lives) older days change a score by under one part in a million.
SCORE_WINDOW_DAYS = {"day": 370, "week": 800}


@dataclass(frozen=True)
class Rule:
    """What a habit's target asks, in the terms the analytics walk needs per day.

    Built by `Habit.rule` from the habit's own definitions (models/habits.py, where each has its
    SQL twin): `weekly` (met per week, not per day), `limit` (an "at most" time habit: staying
    within is success), `done_threshold` (the minutes that make a day done for an "at least"
    time habit). `amount` is the target in its own unit: minutes, or times for check habits."""

    is_check: bool = False
    has_target: bool = False
    weekly: bool = False
    limit: bool = False
    amount: int | None = None
    done_threshold: int = 1

    @classmethod
    def of(cls, habit) -> "Rule":
        """The rule of a habit."""
        is_check = habit.kind == "check"
        return cls(
            is_check=is_check,
            has_target=is_check or habit.target_minutes is not None,
            weekly=habit.weekly_target,
            limit=habit.is_limit,
            amount=(habit.target_times or 1) if is_check else habit.target_minutes,
            done_threshold=habit.done_threshold,
        )

    def day_done(self, minutes: int, checked: bool, week_before: int = 0) -> bool:
        """Whether a day is done. `week_before` is what counts towards a weekly limit from the
        earlier days of the same week (a weekly limit is kept while the week stays within it)."""
        if self.is_check:
            return checked
        if self.limit:
            return week_before + minutes <= self.amount
        return minutes >= self.done_threshold

    def week_needed(self, skipped: int) -> int:
        """What a week with `skipped` excused days needs: ⌈target · (7 − k) / 7⌉."""
        return ceil(self.amount * (DAYS_PER_WEEK - skipped) / DAYS_PER_WEEK)

    def week_met(self, counted: int, skipped: int) -> bool | None:
        """Whether a week met the target given what counted on its days that were not excused;
        a week excused on every day is neither met nor missed (None)."""
        if skipped >= DAYS_PER_WEEK:
            return None
        if self.limit:
            return counted <= self.amount
        return counted >= self.week_needed(skipped)

    def score_value(self, minutes: int, checked: bool, last_week: int, done: bool) -> float:
        """A day's step of the strength score (0–1). `last_week` is the minutes (time) or
        checks (check habits) of the seven days ending with this one."""
        if self.limit:
            return 1.0 if done else 0.0
        if self.weekly:
            return min(1.0, last_week / self.amount)
        if self.is_check:
            return 1.0 if checked else 0.0
        if self.amount is not None:
            return min(1.0, minutes / self.amount)
        return 1.0 if minutes > 0 else 0.0

    @property
    def frequency(self) -> float:
        """How often the habit is expected per day (f in the score's multiplier)."""
        if not self.weekly:
            return 1.0
        return self.amount / DAYS_PER_WEEK if self.is_check else 1 / DAYS_PER_WEEK

    @property
    def smoothing(self) -> float:
        """The score's multiplier m = 0.5 ** (sqrt(f) / 13)."""
        return 0.5 ** (sqrt(self.frequency) / 13)

    @property
    def score_window(self) -> int:
        """Days of history that matter to the score (see SCORE_WINDOW_DAYS)."""
        return SCORE_WINDOW_DAYS["week" if self.weekly else "day"]
