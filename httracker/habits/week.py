"""The week grid: each active habit's last days at a glance, read in one query.

A cell is a habit's day: the minutes logged (time habits), whether it was checked (check
habits), whether it was skipped. Its `level` says how much of a daily target the minutes
reach, so the grid can shade it; a limit ("at most") habit is `over` past its limit."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, select, union_all

from ..extensions import db
from ..models import Habit, HabitCheck, HabitLog, HabitSkip, User

GRID_DAYS = 7


@dataclass(frozen=True)
class Cell:
    day: date
    minutes: int = 0
    checked: bool = False
    skipped: bool = False
    level: int = 0  # 0 nothing, 1 under half the target, 2 under the target, 3 target met
    over: bool = False  # an "at most" habit past its limit

    @property
    def empty(self) -> bool:
        return not (self.minutes or self.checked or self.skipped)


def grid_days(today: date, count: int = GRID_DAYS) -> list[date]:
    """The last `count` days, oldest first, ending today."""
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def day_entries(user: User, start: date, end: date, habit_id: int | None = None) -> dict:
    """{(habit id, day): (minutes, checked, skipped)} for the user's entries from `start` to
    `end`, in one query over logs, checks and skips."""

    def part(model, kind, amount):
        query = (
            select(model.habit_id, model.date, literal(kind).label("kind"), amount.label("amount"))
            .where(model.user_id == user.id, model.date >= start, model.date <= end)
            .group_by(model.habit_id, model.date)
        )
        if habit_id is not None:
            query = query.where(model.habit_id == habit_id)
        return query

    query = union_all(
        part(HabitLog, "log", func.sum(HabitLog.minutes)),
        part(HabitCheck, "check", func.count(HabitCheck.id)),
        part(HabitSkip, "skip", func.count(HabitSkip.id)),
    )
    found: dict = {}
    for row_habit, day, kind, amount in db.session.execute(query):
        minutes, checked, skipped = found.get((row_habit, day), (0, False, False))
        if kind == "log":
            minutes = int(amount)
        elif kind == "check":
            checked = True
        else:
            skipped = True
        found[(row_habit, day)] = (minutes, checked, skipped)
    return found


def make_cell(habit: Habit, day: date, minutes: int, checked: bool, skipped: bool) -> Cell:
    """A day of `habit` with its level against the daily target."""
    level, over = 0, False
    if habit.kind == "check":
        level = 3 if checked else 0
    elif minutes:
        if habit.is_limit:
            over = habit.target_period == "day" and minutes > habit.target_minutes
            level = 3 if not over else 1
        else:
            threshold = habit.done_threshold
            level = 3 if minutes >= threshold else (2 if 2 * minutes >= threshold else 1)
    return Cell(day, minutes, checked, skipped, level, over)


def week_grid(user: User, habits: list[Habit], today: date) -> tuple[list[date], dict]:
    """The grid's days (oldest first) and, per habit id, its cells on those days."""
    days = grid_days(today)
    found = day_entries(user, days[0], days[-1]) if habits else {}
    rows = {
        habit.id: [
            make_cell(habit, day, *found.get((habit.id, day), (0, False, False))) for day in days
        ]
        for habit in habits
    }
    return days, rows
