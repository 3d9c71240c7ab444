"""Adding a parsed file to an account: every record checked by the habits' own rules (the ones
the web forms and the CLI use, with the same messages), then one batch of writes."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..analytics.invalidation import invalidate
from ..changes import RuleBroken
from ..extensions import db
from ..habits.services import (
    check_day_total,
    check_habit_rules,
    check_log_rules,
    check_timed,
    create_habit,
    lock_user,
)
from ..models import Habit, HabitLog, User, fold, utcnow
from ..timeutil import user_today
from .bulk import insert_rows
from .day_entries import DayPlan, KnownHabit, plan_days, write_days
from .parsing import parse
from .records import HabitRecord, ImportData, ImportRejected, ImportResult, LogRecord

LOG_COLUMNS = ("user_id", "habit_id", "date", "minutes", "note", "created_at")
CHANGED_MEANWHILE = (
    "A habit in this file was renamed or deleted while the file was being imported; "
    "import the file again."
)


@dataclass(frozen=True)
class ImportPlan:
    """What a checked file adds: its new habits, logs and day entries, and the habits already
    there (by folded name)."""

    habit_ids: dict[str, int]
    new_habits: list[HabitRecord]
    new_logs: list[LogRecord]
    days: DayPlan
    skipped_logs: int


def import_file(user: User, data: bytes, fmt: str) -> ImportResult:
    """Parse and import a file of at most IMPORT_MAX_ROWS entries; the caller commits, or rolls
    back on ImportRejected."""
    return import_data(user, parse(data, fmt, current_app.config["IMPORT_MAX_ROWS"]))


def import_data(user: User, parsed: ImportData) -> ImportResult:
    """Add the file's missing habits, logs, checks, skipped days and breaks after checking every
    rule; nothing is written unless all of it is valid. Entries already present are skipped."""
    return write_import(user, parsed, check_import(user, parsed))


def check_import(user: User, parsed: ImportData) -> ImportPlan:
    """Lock the user's data and check every new habit and entry; ImportRejected lists each one
    that breaks a rule, by its place in the file."""
    lock_user(user)
    habits = {
        habit.name_key: KnownHabit(habit.name, habit.kind, habit.id)
        for habit in db.session.scalars(select(Habit).where(Habit.user_id == user.id))
    }
    errors: list[str] = []
    new_habits = [record for key, record in parsed.habits.items() if key not in habits]
    for record in new_habits:
        kind = None
        try:
            kind = check_habit_rules(record.name, record.category, record.target).kind
        except RuleBroken as error:
            errors.append(parsed.problem(record.where, error))
        habits[fold(record.name)] = KnownHabit(record.name, kind)
    today = user_today(user)
    new_logs = _new_logs(user, parsed, habits, today, errors)
    days = plan_days(user, parsed, habits, today, errors)
    if errors:
        raise ImportRejected(errors)
    habit_ids = {key: habit.id for key, habit in habits.items() if habit.id is not None}
    return ImportPlan(habit_ids, new_habits, new_logs, days, len(parsed.logs) - len(new_logs))


def write_import(user: User, parsed: ImportData, plan: ImportPlan) -> ImportResult:
    """Add a checked file's new habits and entries. A habit named, renamed or deleted since the
    check (another tab, the CLI) rejects the file like any broken rule."""
    habit_ids = dict(plan.habit_ids)
    for record in plan.new_habits:
        try:
            habit = create_habit(
                user, record.name, record.category, record.target, colour=record.colour
            )
        except RuleBroken as error:
            # The rules held a moment ago, so only the name's uniqueness can fail here.
            meanwhile = "It was created while this file was being imported; import it again."
            raise ImportRejected([f"{parsed.problem(record.where, error)} {meanwhile}"]) from None
        habit.archived = record.archived
        habit_ids[fold(record.name)] = habit.id
    now, ids = (
        utcnow(),
        {name: habit_ids[fold(name)] for name in {log.habit for log in plan.new_logs}},
    )
    rows = [
        (user.id, ids[log.habit], log.date, log.minutes, log.note, now) for log in plan.new_logs
    ]
    try:
        insert_rows(HabitLog.__table__, LOG_COLUMNS, rows)
    except IntegrityError:
        raise ImportRejected([CHANGED_MEANWHILE]) from None
    write_days(user, plan.days, habit_ids)
    _invalidate_imported(user, plan, habit_ids)
    return ImportResult(
        habits_added=len(plan.new_habits),
        logs_added=len(plan.new_logs),
        already_there=plan.skipped_logs + plan.days.already_there,
        checks_added=len(plan.days.checks),
        skips_added=len(plan.days.skips),
        breaks_added=len(plan.days.breaks),
    )


def _new_logs(
    user: User, parsed: ImportData, habits: dict[str, KnownHabit], today: date, errors: list[str]
) -> list[LogRecord]:
    """The file's logs not yet stored (as many copies as the file has more of), each checked
    by the log rules (minutes for time habits only), and the 24h day counting what is already
    logged."""
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
    new: list[LogRecord] = []
    for log in parsed.logs:
        try:
            habit = habits[fold(log.habit)]
            if habit.kind is not None:
                check_timed(habit)
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


def _invalidate_imported(user: User, plan: ImportPlan, habit_ids: dict[str, int]) -> None:
    """Move back the derived state of each habit the file added entries to, from its first new
    entry (a break for every habit: all of them). Habits it did not touch stay as they are (and
    unlocked: a rename of another habit meanwhile is not held up)."""
    first: dict[int | None, date] = {}

    def note(habit_id: int | None, day: date) -> None:
        first[habit_id] = min(day, first.get(habit_id, day))

    for log in plan.new_logs:
        note(habit_ids[fold(log.habit)], log.date)
    for record in (*plan.days.checks, *plan.days.skips):
        note(habit_ids[fold(record.habit)], record.date)
    for entry in plan.days.breaks:
        for name, _where in entry.habits or [(None, None)]:
            note(None if name is None else habit_ids[fold(name)], entry.start)
    if None in first:
        invalidate(user.id, None, min(first.values()))
        return
    for habit_id, day in sorted(first.items()):
        invalidate(user.id, [habit_id], day)
