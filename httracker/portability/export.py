"""A user's whole data as CSV or JSON (format version 2)."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip, User
from .records import CSV_COLUMNS, JSON_FORMAT_NAME, JSON_VERSION, neutralise

# The order of a habit's entries on one day in a CSV file.
ENTRY_ORDER = {"log": 0, "check": 1, "skip": 2}


@dataclass(frozen=True)
class HabitExport:
    """A habit with its logs (by date), checks and skipped days (by date)."""

    habit: Habit
    logs: list[HabitLog]
    checks: list[HabitCheck]
    skips: list[HabitSkip]


@dataclass(frozen=True)
class BreakExport:
    """A break with the names of its habits in name order (None: every habit)."""

    entry: HabitBreak
    habits: list[str] | None


def export_habits(user: User) -> list[HabitExport]:
    """Each of the user's habits in name order with its entries."""
    habits = db.session.scalars(
        select(Habit).where(Habit.user_id == user.id).order_by(Habit.name_key, Habit.id)
    ).all()
    entries: dict[type, dict[int, list]] = {}
    for model in (HabitLog, HabitCheck, HabitSkip):
        entries[model] = {habit.id: [] for habit in habits}
        query = select(model).where(model.user_id == user.id).order_by(model.date, model.id)
        for entry in db.session.scalars(query):
            entries[model][entry.habit_id].append(entry)
    return [
        HabitExport(
            habit,
            entries[HabitLog][habit.id],
            entries[HabitCheck][habit.id],
            entries[HabitSkip][habit.id],
        )
        for habit in habits
    ]


def export_breaks(user: User) -> list[BreakExport]:
    """The user's breaks by start, end and age. A break whose chosen habits were all deleted
    excuses nothing and is left out (a break needs habits to be imported)."""
    names: dict[int, list[str]] = {}
    links = (
        select(HabitBreakHabit.break_id, Habit.name)
        .join(Habit, Habit.id == HabitBreakHabit.habit_id)
        .where(HabitBreakHabit.user_id == user.id)
        .order_by(Habit.name_key, Habit.id)
    )
    for break_id, name in db.session.execute(links):
        names.setdefault(break_id, []).append(name)
    query = (
        select(HabitBreak)
        .where(HabitBreak.user_id == user.id)
        .order_by(HabitBreak.start_date, HabitBreak.end_date, HabitBreak.id)
    )
    breaks = [
        BreakExport(entry, None if entry.all_habits else names.get(entry.id, []))
        for entry in db.session.scalars(query)
    ]
    return [item for item in breaks if item.habits is None or item.habits]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def export_csv(user: User) -> str:
    """All the user's data as CSV: a row per log, check and skipped day by date then habit
    (habits without any first, as a row that describes the habit), then a row per break and
    habit (one row with the habit empty for a break of every habit)."""
    rows = []
    for item in export_habits(user):
        habit = item.habit
        name, category = neutralise(habit.name), neutralise(habit.category)
        target = [
            _number(habit.target_minutes),
            habit.target_period,
            "true" if habit.archived else "false",
            habit.kind,
            habit.target_direction,
            _number(habit.target_times),
        ]
        entries = [("log", log, str(log.minutes)) for log in item.logs]
        entries += [("check", check, "") for check in item.checks]
        entries += [("skip", skip, "") for skip in item.skips]
        if not entries:
            cells = ["", name, category, "", "", *target, "habit"]
            rows.append((("", habit.name_key, 0, 0), cells))
        for kind, entry, minutes in entries:
            day = entry.date.isoformat()
            cells = [day, name, category, minutes, neutralise(entry.note or ""), *target, kind]
            rows.append(((day, habit.name_key, ENTRY_ORDER[kind], entry.id), cells))
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([*cells, "", ""] for _, cells in rows)
    for number, item in enumerate(export_breaks(user), 1):
        entry, note = item.entry, neutralise(item.entry.note or "")
        for name in item.habits or [""]:
            start, end = entry.start_date.isoformat(), entry.end_date.isoformat()
            writer.writerow(
                [start, neutralise(name), "", "", note, *[""] * 6, "break", end, str(number)]
            )
    return out.getvalue()


def _entries(entries) -> list[dict]:
    return [{"date": entry.date.isoformat(), "note": entry.note} for entry in entries]


def export_json(user: User, now: datetime | None = None) -> str:
    """All the user's data as the versioned JSON document."""
    document = {
        "format": JSON_FORMAT_NAME,
        "version": JSON_VERSION,
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "habits": [
            {
                "name": item.habit.name,
                "category": item.habit.category,
                "kind": item.habit.kind,
                "target_minutes": item.habit.target_minutes,
                "target_period": item.habit.target_period,
                "target_direction": item.habit.target_direction,
                "target_times": item.habit.target_times,
                "archived": item.habit.archived,
                "logs": [
                    {"date": log.date.isoformat(), "minutes": log.minutes, "note": log.note}
                    for log in item.logs
                ],
                "checks": _entries(item.checks),
                "skips": _entries(item.skips),
            }
            for item in export_habits(user)
        ],
        "breaks": [
            {
                "start": item.entry.start_date.isoformat(),
                "end": item.entry.end_date.isoformat(),
                "habits": item.habits,
                "note": item.entry.note,
            }
            for item in export_breaks(user)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_data(user: User, fmt: str) -> str:
    """The export in `fmt`, 'csv' or 'json'."""
    return export_csv(user) if fmt == "csv" else export_json(user)
