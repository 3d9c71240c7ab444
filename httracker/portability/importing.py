"""Adding a parsed file to an account: every record checked by the habits' own rules (the ones
the web forms and the CLI use, with the same messages), then one batch of writes."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ..changes import RuleBroken
from ..extensions import db
from ..habits.services import (
    check_day_total,
    check_habit_rules,
    check_log_rules,
    create_habit,
    lock_user,
)
from ..models import Habit, HabitLog, User, fold
from ..timeutil import user_today
from .parsing import parse
from .records import HabitRecord, ImportData, ImportRejected, ImportResult, LogRecord

CHANGED_MEANWHILE = (
    "A habit in this file was renamed or deleted while the file was being imported; "
    "import the file again."
)


@dataclass(frozen=True)
class ImportPlan:
    """What a checked file adds: its new habits and logs, and the habits already there."""

    habit_ids: dict[str, int]
    new_habits: list[HabitRecord]
    new_logs: list[LogRecord]
    skipped: int


def import_file(user: User, data: bytes, fmt: str) -> ImportResult:
    """Parse and import a file; the caller commits, or rolls back on ImportRejected."""
    return import_data(user, parse(data, fmt))


def import_data(user: User, parsed: ImportData) -> ImportResult:
    """Add the file's missing habits and logs after checking every rule; nothing is written
    unless all of it is valid. Logs already present (habit, date, minutes, note) are skipped."""
    return write_import(user, parsed, check_import(user, parsed))


def check_import(user: User, parsed: ImportData) -> ImportPlan:
    """Lock the user's data and check every new habit and log; ImportRejected lists each one
    that breaks a rule, by its place in the file."""
    lock_user(user)
    existing = {
        habit.name_key: habit.id
        for habit in db.session.scalars(select(Habit).where(Habit.user_id == user.id))
    }
    errors: list[str] = []
    new_habits = [record for key, record in parsed.habits.items() if key not in existing]
    for record in new_habits:
        try:
            check_habit_rules(record.name, record.category, record.target)
        except RuleBroken as error:
            errors.append(parsed.problem(record.where, error))
    new_logs = _new_logs(user, parsed, errors)
    if errors:
        raise ImportRejected(errors)
    return ImportPlan(existing, new_habits, new_logs, len(parsed.logs) - len(new_logs))


def write_import(user: User, parsed: ImportData, plan: ImportPlan) -> ImportResult:
    """Add a checked file's new habits and logs. A habit named, renamed or deleted since the
    check (another tab, the CLI) rejects the file like any broken rule."""
    habit_ids = dict(plan.habit_ids)
    for record in plan.new_habits:
        try:
            habit = create_habit(user, record.name, record.category, record.target)
        except RuleBroken as error:
            # The rules held a moment ago, so only the name's uniqueness can fail here.
            meanwhile = "It was created while this file was being imported; import it again."
            raise ImportRejected([f"{parsed.problem(record.where, error)} {meanwhile}"]) from None
        habit.archived = record.archived
        habit_ids[fold(record.name)] = habit.id
    rows = [
        {
            "user_id": user.id,
            "habit_id": habit_ids[fold(log.habit)],
            "date": log.date,
            "minutes": log.minutes,
            "note": log.note,
        }
        for log in plan.new_logs
    ]
    if rows:
        try:
            # One executemany instead of an object per row: files may hold 100,000 logs.
            db.session.execute(insert(HabitLog), rows)
        except IntegrityError:
            raise ImportRejected([CHANGED_MEANWHILE]) from None
    return ImportResult(len(plan.new_habits), len(plan.new_logs), plan.skipped)


def _new_logs(user: User, parsed: ImportData, errors: list[str]) -> list[LogRecord]:
    """The file's logs not yet stored (as many copies as the file has more of), each checked
    by the log rules, and the 24h day counting what is already logged."""
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
    for log in parsed.logs:
        try:
            check_log_rules(log.date, log.minutes, log.note, today)
            key = (fold(log.habit), log.date, log.minutes, log.note)
            if stored[key] > 0:
                stored[key] -= 1
                continue
            check_day_total(log.date, totals[log.date], log.minutes)
        except RuleBroken as error:
            errors.append(parsed.problem(log.where, error))
            continue
        totals[log.date] += log.minutes
        new.append(log)
    return new
