"""Checks, skipped days and breaks: the day entries besides logged minutes.

Like every service, each function checks its rules, adds and flushes, and raises RuleBroken;
the caller commits once."""

from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..changes import RuleBroken
from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitSkip, User
from ..timeutil import EARLIEST_DATE, user_today
from . import services

# A skip or a break may be entered up to a year ahead (a planned holiday), and a break lasts at
# most a year.
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
        raise RuleBroken(field, "Dates start on 2000-01-01.")
    if day > today + PLAN_AHEAD:
        raise RuleBroken(field, "Plan at most a year ahead.")


def check_plan_date(user: User, day: date, field: str = "date") -> None:
    """A day from 2000-01-01 to a year from the user's today."""
    check_plan_day(day, user_today(user), field)


# The rules of a check, a skip and a break as pure checkers (no database), for the services
# below and for imports: each raises RuleBroken for the first rule broken and returns the note
# as it is stored.


def check_check_rules(habit, day: date, note: str | None, today: date) -> str | None:
    """A check of `habit` (a Habit, or anything with its name and kind) on `day`."""
    if habit.kind != "check":
        raise RuleBroken("date", f"{habit.name} counts minutes: log time instead of checking it.")
    services.check_log_date(day, today)
    return clean_note(note)


def check_skip_rules(day: date, note: str | None, today: date) -> str | None:
    """A skipped day."""
    check_plan_day(day, today)
    return clean_note(note)


def check_break_rules(
    start: date, end: date, habits: Collection | None, note: str | None, today: date
) -> str | None:
    """A break from `start` to `end` for `habits` (None: every habit)."""
    check_plan_day(start, today, "start")
    check_plan_day(end, today, "end")
    if end < start:
        raise RuleBroken("end", "A break ends on or after the day it starts.")
    if (end - start).days + 1 > MAX_BREAK_DAYS:
        raise RuleBroken("end", "A break lasts at most a year.")
    if habits is not None and not habits:
        raise RuleBroken("habits", "Choose the habits the break is for, or all of them.")
    return clean_note(note)


def _add_once(user: User, entry) -> None:
    """Add a one-per-day entry; one already there (even added by a racing request) is kept."""
    # The user's lock first, like create_habit: the insert's foreign-key check would otherwise
    # wait for a running import's lock while holding the day, which the import may be about to
    # insert (a deadlock on PostgreSQL and MariaDB).
    services.lock_user(user)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        pass


def check_day(user: User, habit: Habit, day: date, note: str | None = None) -> None:
    """Mark a check habit done on a day; checking a checked day changes nothing."""
    note = check_check_rules(habit, day, note, user_today(user))
    _add_once(user, HabitCheck(user_id=user.id, habit_id=habit.id, date=day, note=note))


def uncheck_day(user: User, habit: Habit, day: date) -> None:
    """Take back a check (nothing happens when the day is not checked)."""
    if not habit.rule.is_check:
        raise RuleBroken("date", f"{habit.name} counts minutes: it has no checks.")
    _delete_entry(HabitCheck, user, habit, day)


def skip_day(user: User, habit: Habit, day: date, note: str | None = None) -> None:
    """Excuse one habit's day; skipping a skipped day changes nothing."""
    note = check_skip_rules(day, note, user_today(user))
    _add_once(user, HabitSkip(user_id=user.id, habit_id=habit.id, date=day, note=note))


def unskip_day(user: User, habit: Habit, day: date) -> None:
    """Take back a skip (nothing happens when the day is not skipped)."""
    _delete_entry(HabitSkip, user, habit, day)


def _delete_entry(model, user: User, habit: Habit, day: date) -> None:
    db.session.execute(
        delete(model).where(model.user_id == user.id, model.habit_id == habit.id, model.date == day)
    )


def add_break(
    user: User, start: date, end: date, habits: list[Habit] | None, note: str | None = None
) -> HabitBreak:
    """Excuse a range of days for every habit (`habits` None) or for the chosen ones."""
    note = check_break_rules(start, end, habits, note, user_today(user))
    services.lock_user(user)
    entry = HabitBreak(
        user_id=user.id, start_date=start, end_date=end, all_habits=habits is None, note=note
    )
    db.session.add(entry)
    db.session.flush()
    for habit in habits or ():
        db.session.add(HabitBreakHabit(break_id=entry.id, habit_id=habit.id, user_id=user.id))
    db.session.flush()
    return entry


def delete_break(entry: HabitBreak) -> None:
    """Delete a break; its habit links go with it."""
    db.session.delete(entry)
    db.session.flush()


def breaks_of(user: User):
    """The user's breaks, the latest first."""
    return (
        select(HabitBreak)
        .where(HabitBreak.user_id == user.id)
        .order_by(HabitBreak.start_date.desc(), HabitBreak.id.desc())
    )
