"""Adding a parsed file to an account: every rule checked first, then one batch of writes."""

from collections import Counter

from sqlalchemy import func, insert, select

from ..durations import format_minutes
from ..extensions import db
from ..habits.services import RuleBroken, check_habit_fields, create_habit, lock_user
from ..models import MAX_DAY_MINUTES, Habit, HabitLog, User, fold
from ..timeutil import user_today
from .parsing import parse
from .records import ImportData, ImportRejected, ImportResult, LogRecord


def import_file(user: User, data: bytes, fmt: str) -> ImportResult:
    """Parse and import a file; the caller commits, or rolls back on ImportRejected."""
    return import_data(user, parse(data, fmt))


def import_data(user: User, parsed: ImportData) -> ImportResult:
    """Add the file's missing habits and logs after checking every rule; nothing is written
    unless all of it is valid. Logs already present (habit, date, minutes, note) are skipped."""
    lock_user(user)
    existing = {
        habit.name_key: habit
        for habit in db.session.scalars(select(Habit).where(Habit.user_id == user.id))
    }
    errors: list[str] = []
    for key, record in parsed.habits.items():
        if key in existing:
            continue
        try:
            check_habit_fields(
                user, record.name, record.category, record.target_minutes, record.target_period
            )
        except RuleBroken as error:
            errors.append(f"{record.where}: {error.field}: {error.message}")
    new_logs = _new_logs(user, parsed.logs, errors)
    if errors:
        raise ImportRejected(errors)
    habits = dict(existing)
    added = 0
    for key, record in parsed.habits.items():
        if key not in habits:
            habit = create_habit(
                user, record.name, record.category, record.target_minutes, record.target_period
            )
            habit.archived = record.archived
            habits[key] = habit
            added += 1
    db.session.flush()
    rows = [
        {
            "user_id": user.id,
            "habit_id": habits[fold(log.habit)].id,
            "date": log.date,
            "minutes": log.minutes,
            "note": log.note,
        }
        for log in new_logs
    ]
    if rows:
        # One executemany instead of an object per row: files may hold a hundred thousand logs.
        db.session.execute(insert(HabitLog), rows)
    return ImportResult(added, len(new_logs), len(parsed.logs) - len(new_logs))


def _new_logs(user: User, logs: list[LogRecord], errors: list[str]) -> list[LogRecord]:
    """The file's logs not yet stored (as many copies as the file has more of), checked against
    the user's today and the 24h day including what is already logged."""
    query = (
        select(Habit.name_key, HabitLog.date, HabitLog.minutes, HabitLog.note)
        .join(Habit, Habit.id == HabitLog.habit_id)
        .where(HabitLog.user_id == user.id)
    )
    stored = Counter(tuple(row) for row in db.session.execute(query))
    totals_query = (
        select(HabitLog.date, func.sum(HabitLog.minutes))
        .where(HabitLog.user_id == user.id)
        .group_by(HabitLog.date)
    )
    totals = Counter({day: int(total) for day, total in db.session.execute(totals_query)})
    today = user_today(user)
    new: list[LogRecord] = []
    for log in logs:
        if log.date > today:
            errors.append(
                f"{log.where}: {log.date.isoformat()} is in the future in your time zone."
            )
            continue
        key = (fold(log.habit), log.date, log.minutes, log.note)
        if stored[key] > 0:
            stored[key] -= 1
            continue
        totals[log.date] += log.minutes
        if totals[log.date] > MAX_DAY_MINUTES:
            errors.append(
                f"{log.where}: a day has 24h; logs on {log.date.isoformat()} would total "
                f"{format_minutes(totals[log.date])}."
            )
        new.append(log)
    return new
