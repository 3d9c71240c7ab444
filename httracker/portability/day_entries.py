"""The checks, skipped days and breaks of an imported file: each checked by the rules of the
web's check, skip and break (the same checkers, the same messages), then written in batches.

Re-importing adds nothing: a habit's day already checked or skipped stays as it is, and a break
identical to one already there (same start, end, habits and note) is skipped."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..changes import RuleBroken
from ..extensions import db
from ..habits.days import check_break_rules, check_check_rules, check_skip_rules
from ..models import (
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitSkip,
    User,
    fold,
    utcnow,
)
from .bulk import insert_rows
from .records import BreakRecord, DayRecord, ImportData, ImportRejected

DAY_COLUMNS = ("user_id", "habit_id", "date", "note", "created_at")
DAYS_CHANGED_MEANWHILE = (
    "A habit or a day in this file was changed while the file was being imported; "
    "import the file again."
)


class KnownHabit(NamedTuple):
    """A habit an entry may name: already stored (with its id) or new in the file. Its kind is
    None when the file's habit breaks a rule (reported with the habit)."""

    name: str
    kind: str | None
    id: int | None = None


@dataclass(frozen=True)
class DayPlan:
    """The checks, skipped days and breaks a checked file adds, and how many were there."""

    checks: list[DayRecord]
    skips: list[DayRecord]
    breaks: list[BreakRecord]
    already_there: int


def plan_days(
    user: User, parsed: ImportData, habits: dict[str, KnownHabit], today: date, errors: list
) -> DayPlan:
    """The file's entries not yet stored, each checked; every broken rule goes to `errors`."""
    already = 0
    entries = {}
    for model, records in ((HabitCheck, parsed.checks), (HabitSkip, parsed.skips)):
        seen = set(
            db.session.execute(
                select(Habit.name_key, model.date)
                .join(Habit, Habit.id == model.habit_id)
                .where(model.user_id == user.id)
            ).tuples()
        )
        entries[model] = []
        for record in records:
            habit = habits[fold(record.habit)]
            if habit.kind is None:
                continue
            try:
                if model is HabitCheck:
                    record.note = check_check_rules(habit, record.date, record.note, today)
                else:
                    record.note = check_skip_rules(record.date, record.note, today)
            except RuleBroken as error:
                errors.append(parsed.problem(record.where, error))
                continue
            if (fold(record.habit), record.date) in seen:
                already += 1  # one per habit and day: a second check or skip changes nothing
                continue
            seen.add((fold(record.habit), record.date))
            entries[model].append(record)
    breaks, skipped_breaks = _new_breaks(user, parsed, habits, today, errors)
    return DayPlan(entries[HabitCheck], entries[HabitSkip], breaks, already + skipped_breaks)


def _break_key(start: date, end: date, habits, note: str | None) -> tuple:
    return (start, end, None if habits is None else frozenset(habits), note)


def _stored_breaks(user: User) -> Counter:
    """The user's breaks, counted by start, end, habits (folded names) and note."""
    names: dict[int, set[str]] = {}
    links = (
        select(HabitBreakHabit.break_id, Habit.name_key)
        .join(Habit, Habit.id == HabitBreakHabit.habit_id)
        .where(HabitBreakHabit.user_id == user.id)
    )
    for break_id, name_key in db.session.execute(links):
        names.setdefault(break_id, set()).add(name_key)
    query = select(HabitBreak).where(HabitBreak.user_id == user.id)
    return Counter(
        _break_key(
            entry.start_date,
            entry.end_date,
            None if entry.all_habits else names.get(entry.id, set()),
            entry.note,
        )
        for entry in db.session.scalars(query)
    )


def _new_breaks(
    user: User, parsed: ImportData, habits: dict[str, KnownHabit], today: date, errors: list
) -> tuple[list[BreakRecord], int]:
    """The file's breaks not yet stored (as many copies as the file has more of), each checked
    by the break rules, its habits found in the file or the account."""
    stored = _stored_breaks(user)
    new, already = [], 0
    for record in parsed.breaks:
        chosen = None
        if record.habits is not None:
            chosen = {}
            for name, where in record.habits:
                if fold(name) not in habits:
                    errors.append(f"{where}: no habit named {name!r} in this file or your account.")
                chosen.setdefault(fold(name), name)
        try:
            record.note = check_break_rules(record.start, record.end, chosen, record.note, today)
        except RuleBroken as error:
            errors.append(parsed.problem(record.where, error))
            continue
        key = _break_key(record.start, record.end, chosen, record.note)
        if stored[key] > 0:
            stored[key] -= 1
            already += 1
            continue
        new.append(record)
    return new, already


def write_days(user: User, plan: DayPlan, habit_ids: dict[str, int]) -> None:
    """Add a checked file's checks, skipped days and breaks."""
    now = utcnow()
    try:
        for model, records in ((HabitCheck, plan.checks), (HabitSkip, plan.skips)):
            rows = [
                (user.id, habit_ids[fold(record.habit)], record.date, record.note, now)
                for record in records
            ]
            insert_rows(model.__table__, DAY_COLUMNS, rows)
        _write_breaks(user, plan.breaks, habit_ids)
    except IntegrityError:
        # A web check or skip of the same day, or a habit deleted, since the file was checked.
        raise ImportRejected([DAYS_CHANGED_MEANWHILE]) from None


def _write_breaks(user: User, records: list[BreakRecord], habit_ids: dict[str, int]) -> None:
    breaks = [
        HabitBreak(
            user_id=user.id,
            start_date=record.start,
            end_date=record.end,
            all_habits=record.habits is None,
            note=record.note,
        )
        for record in records
    ]
    if not breaks:
        return
    db.session.add_all(breaks)
    db.session.flush()
    links = [
        {"break_id": entry.id, "habit_id": habit_ids[key], "user_id": user.id}
        for entry, record in zip(breaks, records, strict=True)
        for key in dict.fromkeys(fold(name) for name, _ in record.habits or ())
    ]
    if links:
        db.session.execute(insert(HabitBreakHabit), links)
