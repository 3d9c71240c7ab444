"""Checks, skipped days and breaks: the day entries besides logged minutes.

Like every service, each function checks its rules, adds and flushes, and raises RuleBroken;
the caller commits once. The rules themselves are pure checkers (no database), which imports
call too, so a file and a form get the same messages."""

from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..analytics.invalidation import invalidate
from ..changes import RuleBroken
from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitSkip, User
from ..timeutil import EARLIEST_DATE, user_today
from . import services

# What check, uncheck, skip and unskip say when they changed the day and when it already was so
# (formatted with the habit's name and the day), on the pages and in the API alike.
DAY_MESSAGES = {
    "check": ("Checked {habit} on {day}.", "{habit} was already checked on {day}."),
    "uncheck": ("Took back the check of {habit} on {day}.", "{habit} was not checked on {day}."),
    "skip": ("Skipped {habit} on {day}.", "{habit} was already skipped on {day}."),
    "unskip": ("{habit} on {day} is no longer skipped.", "{habit} was not skipped on {day}."),
    "check_note": ("Saved the note of {habit} on {day}.", "{habit} was not checked on {day}."),
    "skip_note": (
        "Saved the note of the skip of {habit} on {day}.",
        "{habit} was not skipped on {day}.",
    ),
}

# A skip or a break may be entered up to a year ahead (a planned holiday), and a break lasts at
# most a year (366 days, so a leap year fits).
PLAN_AHEAD = timedelta(days=365)
MAX_BREAK_DAYS = 366


def clean_note(note: str | None) -> str | None:
    """The note stripped, None when empty; RuleBroken when too long."""
    note = (note or "").strip() or None
    services.check_note(note)
    return note


def check_plan_day(day: date, today: date, field: str = "date") -> None:
    """A day from 2000-01-01 to a year after `today` (skips and breaks may be planned)."""
    if day < EARLIEST_DATE:
        raise RuleBroken(field, f"Dates start on {EARLIEST_DATE.isoformat()}.")
    if day > today + PLAN_AHEAD:
        raise RuleBroken(field, "Plan at most a year ahead.")


def check_checkable(habit) -> None:
    """Only check habits are checked off; time habits log minutes."""
    if habit.kind != "check":
        raise RuleBroken("date", f"{habit.name} counts minutes: log time instead of checking it.")


def check_open(habit) -> None:
    """An archived habit takes no new checks or skips, like its logs."""
    if habit.archived:
        raise RuleBroken("date", f"{habit.name} is archived: restore it first.")


def check_check_rules(habit, day: date, note: str | None, today: date) -> str | None:
    """A check of `habit` (a Habit, or anything with its name and kind) on `day`; the note as
    it is stored."""
    check_checkable(habit)
    services.check_log_date(day, today)
    return clean_note(note)


def check_skip_rules(day: date, note: str | None, today: date) -> str | None:
    """A skipped day; the note as it is stored."""
    check_plan_day(day, today)
    return clean_note(note)


def check_break_rules(
    start: date, end: date, habits: Collection | None, note: str | None, today: date
) -> str | None:
    """A break from `start` to `end` for `habits` (None: every habit); the note as stored."""
    check_plan_day(start, today, "start")
    check_plan_day(end, today, "end")
    if end < start:
        raise RuleBroken("end", "A break ends on or after the day it starts.")
    if (end - start).days + 1 > MAX_BREAK_DAYS:
        raise RuleBroken("end", f"A break lasts at most a year ({MAX_BREAK_DAYS} days).")
    if habits is not None and not habits:
        raise RuleBroken("habits", "Choose the habits the break is for, or all of them.")
    return clean_note(note)


def _add_once(user: User, model, habit: Habit, day: date, note: str | None) -> bool:
    """Add a one-per-day entry; False when one is already there (even one a racing request
    added a moment ago, which is kept)."""
    # The user's lock first, like create_habit: the insert's foreign-key check would otherwise
    # wait for a running import's lock while holding the day, which the import may be about to
    # insert (a deadlock on PostgreSQL and MariaDB).
    services.lock_user(user, [habit])
    if _entry_id(model, user, habit, day) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(user_id=user.id, habit_id=habit.id, date=day, note=note))
            db.session.flush()
    except IntegrityError:
        return False
    invalidate(user.id, [habit.id], day)
    return True


def _entry_id(model, user: User, habit: Habit, day: date) -> int | None:
    query = select(model.id).where(
        model.user_id == user.id, model.habit_id == habit.id, model.date == day
    )
    return db.session.scalar(query)


def _delete_entry(model, user: User, habit: Habit, day: date) -> bool:
    """Delete a day's entry; whether there was one."""
    result = db.session.execute(
        delete(model).where(model.user_id == user.id, model.habit_id == habit.id, model.date == day)
    )
    if result.rowcount > 0:
        invalidate(user.id, [habit.id], day)
    return result.rowcount > 0


def check_day(user: User, habit: Habit, day: date, note: str | None = None) -> bool:
    """Mark a check habit done on a day (the date rules of logs); False when it already was,
    which changes nothing."""
    note = check_check_rules(habit, day, note, user_today(user))
    return _add_once(user, HabitCheck, habit, day, note)


def uncheck_day(user: User, habit: Habit, day: date) -> bool:
    """Take back a check; False when the day was not checked (a day no check can have is
    refused with the date rule's message)."""
    check_checkable(habit)
    if _delete_entry(HabitCheck, user, habit, day):
        return True
    services.check_log_date(day, user_today(user))
    return False


def skip_day(user: User, habit: Habit, day: date, note: str | None = None) -> bool:
    """Excuse one habit's day; False when it already was, which changes nothing."""
    note = check_skip_rules(day, note, user_today(user))
    return _add_once(user, HabitSkip, habit, day, note)


def unskip_day(user: User, habit: Habit, day: date) -> bool:
    """Take back a skip; False when the day was not skipped (a day no skip can have is
    refused with the date rule's message)."""
    if _delete_entry(HabitSkip, user, habit, day):
        return True
    check_plan_day(day, user_today(user))
    return False


def set_day_note(user: User, model, habit: Habit, day: date, note: str | None) -> bool:
    """Set (or clear, with an empty note) the note of a day's check or skip (`model`); False
    when the day has no such entry, which changes nothing. A note is not counted anywhere, so
    the derived analytics stay as they are."""
    note = clean_note(note)
    services.lock_user(user, [habit])
    entry = db.session.scalar(
        select(model).where(model.user_id == user.id, model.habit_id == habit.id, model.date == day)
    )
    if entry is None:
        return False
    entry.note = note
    db.session.flush()
    return True


def add_break(
    user: User, start: date, end: date, habits: list[Habit] | None, note: str | None = None
) -> HabitBreak:
    """Excuse a range of days for every habit (`habits` None) or for the chosen ones."""
    note = check_break_rules(start, end, habits, note, user_today(user))
    if any(habit.user_id != user.id for habit in habits or ()):
        raise RuleBroken("habits", "Choose among your own habits.")
    services.lock_user(user, habits or ())
    entry = HabitBreak(
        user_id=user.id, start_date=start, end_date=end, all_habits=habits is None, note=note
    )
    db.session.add(entry)
    db.session.flush()
    for habit_id in sorted({habit.id for habit in habits or ()}):
        db.session.add(HabitBreakHabit(break_id=entry.id, habit_id=habit_id, user_id=user.id))
    db.session.flush()
    invalidate(user.id, None if habits is None else [habit.id for habit in habits], start)
    return entry


def delete_break(entry: HabitBreak) -> None:
    """Delete a break; the database deletes its habit links with it."""
    covered = None
    if not entry.all_habits:
        covered = list(
            db.session.scalars(
                select(HabitBreakHabit.habit_id).where(
                    HabitBreakHabit.break_id == entry.id, HabitBreakHabit.user_id == entry.user_id
                )
            )
        )
    db.session.delete(entry)
    db.session.flush()
    invalidate(entry.user_id, covered, entry.start_date)


def breaks_of(user: User):
    """The user's breaks, the latest first."""
    return (
        select(HabitBreak)
        .where(HabitBreak.user_id == user.id)
        .order_by(HabitBreak.start_date.desc(), HabitBreak.id.desc())
    )
