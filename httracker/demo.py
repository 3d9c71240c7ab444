"""Reproducible demo data: habits and per-day logs generated from a seed.

The generator is pure (no database, no ORM), so the CLI and a benchmark that bulk-loads
rows at scale produce exactly the same data for the same seed, day count and end date."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .models import MAX_DAY_MINUTES


@dataclass(frozen=True)
class DemoHabit:
    """A habit of the demo account, with the rhythm its logs follow."""

    name: str
    category: str
    target_minutes: int | None
    target_period: str
    weekday_chance: float
    weekend_chance: float
    minutes: tuple[int, int]
    notes: tuple[str, ...] = ()
    archived: bool = False


@dataclass(frozen=True)
class DemoLog:
    """One log row; `habit` is an index into DEMO_HABITS."""

    habit: int
    date: date
    minutes: int
    note: str | None


DEMO_HABITS: tuple[DemoHabit, ...] = (
    DemoHabit("Deep work", "Work", 240, "day", 0.92, 0.10, (60, 300), ("Focus block", "Reviews")),
    DemoHabit("Email & admin", "Work", None, "day", 0.85, 0.05, (15, 60)),
    DemoHabit("Running", "Health", 150, "week", 0.40, 0.70, (20, 75), ("Easy pace", "Intervals")),
    DemoHabit("Strength training", "Health", 90, "week", 0.30, 0.35, (30, 60)),
    DemoHabit("Meditation", "Health", 10, "day", 0.75, 0.80, (5, 25)),
    DemoHabit("Reading", "Learning", 30, "day", 0.60, 0.85, (15, 90), ("Novel", "Essays")),
    DemoHabit("Spanish", "Learning", 120, "week", 0.55, 0.30, (10, 40), ("Duolingo", "Podcast")),
    DemoHabit("Guitar", "Hobbies", None, "day", 0.15, 0.50, (20, 90)),
    DemoHabit("Drawing", "Hobbies", None, "day", 0.10, 0.30, (20, 60), archived=True),
)
DEMO_CATEGORIES = tuple(sorted({habit.category for habit in DEMO_HABITS}))


def demo_logs(seed: int, days: int, today: date) -> Iterator[DemoLog]:
    """The demo logs over the `days` days ending on `today`, oldest first.

    Weekdays and weekends follow each habit's chances; holidays and sick days leave gaps;
    momentum makes streaks (a habit done yesterday is more likely today). No day ever holds
    more than 1440 minutes and no log is dated after `today`."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - reproducible sample data, not secrets
    first = today - timedelta(days=days - 1)
    gaps = _gap_days(rng, first, days)
    archived_after = first + timedelta(days=days * 2 // 3)
    done_yesterday = [False] * len(DEMO_HABITS)
    for offset in range(days):
        day = first + timedelta(days=offset)
        # Draw the same numbers on every day, gap or not, so one habit's rhythm stays put.
        draws = [(rng.random(), rng.randint(*habit.minutes), rng.random()) for habit in DEMO_HABITS]
        if day in gaps:
            done_yesterday = [False] * len(DEMO_HABITS)
            continue
        left = MAX_DAY_MINUTES
        weekend = day.weekday() >= 5
        for index, (habit, (chance_draw, minutes, note_draw)) in enumerate(
            zip(DEMO_HABITS, draws, strict=True)
        ):
            chance = habit.weekend_chance if weekend else habit.weekday_chance
            if done_yesterday[index]:
                chance = min(0.97, chance + 0.15)
            if habit.archived and day > archived_after:
                chance = 0.0
            done = chance_draw < chance and left > 0
            done_yesterday[index] = done
            if not done:
                continue
            minutes = min(minutes, left)
            left -= minutes
            note = None
            if habit.notes and note_draw < 0.3:
                note = habit.notes[int(note_draw * 10) % len(habit.notes)]
            yield DemoLog(index, day, minutes, note)


def _gap_days(rng: random.Random, first: date, days: int) -> set[date]:
    """A holiday of one to two weeks per ~120 days and a few single missed days."""
    gaps: set[date] = set()
    for _ in range(max(1, days // 120)):
        start = rng.randrange(days)
        length = rng.randint(7, 14)
        gaps.update(first + timedelta(days=start + step) for step in range(length))
    for _ in range(days // 30):
        gaps.add(first + timedelta(days=rng.randrange(days)))
    return gaps


def demo_log_rows(user_id: int, habit_ids: list[int], logs: Iterator[DemoLog]) -> Iterator[dict]:
    """Plain rows for habit_log, ready for a bulk insert."""
    for log in logs:
        yield {
            "user_id": user_id,
            "habit_id": habit_ids[log.habit],
            "date": log.date,
            "minutes": log.minutes,
            "note": log.note,
        }
