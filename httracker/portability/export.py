"""A user's whole data as CSV or JSON."""

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Habit, HabitLog, User
from .records import CSV_COLUMNS, JSON_FORMAT_NAME, JSON_VERSION, neutralise


def export_habits(user: User) -> list[tuple[Habit, list[HabitLog]]]:
    """Each of the user's habits in name order with its logs by date."""
    habits = db.session.scalars(
        select(Habit).where(Habit.user_id == user.id).order_by(Habit.name_key, Habit.id)
    ).all()
    logs: dict[int, list[HabitLog]] = {habit.id: [] for habit in habits}
    query = select(HabitLog).where(HabitLog.user_id == user.id).order_by(HabitLog.date, HabitLog.id)
    for log in db.session.scalars(query):
        logs[log.habit_id].append(log)
    return [(habit, logs[habit.id]) for habit in habits]


def export_csv(user: User) -> str:
    """All the user's data as CSV: one log per row by date then habit; habits without logs first."""
    rows = []
    for habit, logs in export_habits(user):
        extra = [
            "" if habit.target_minutes is None else str(habit.target_minutes),
            habit.target_period,
            "true" if habit.archived else "false",
        ]
        name, category = neutralise(habit.name), neutralise(habit.category)
        if not logs:
            rows.append((("", habit.name_key, 0), ["", name, category, "", "", *extra]))
        for log in logs:
            cells = [
                log.date.isoformat(),
                name,
                category,
                str(log.minutes),
                neutralise(log.note or ""),
            ]
            rows.append(((log.date.isoformat(), habit.name_key, log.id), [*cells, *extra]))
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(cells for _, cells in rows)
    return out.getvalue()


def export_json(user: User, now: datetime | None = None) -> str:
    """All the user's data as the versioned JSON document."""
    document = {
        "format": JSON_FORMAT_NAME,
        "version": JSON_VERSION,
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "habits": [
            {
                "name": habit.name,
                "category": habit.category,
                "target_minutes": habit.target_minutes,
                "target_period": habit.target_period,
                "archived": habit.archived,
                "logs": [
                    {"date": log.date.isoformat(), "minutes": log.minutes, "note": log.note}
                    for log in logs
                ],
            }
            for habit, logs in export_habits(user)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_data(user: User, fmt: str) -> str:
    """The export in `fmt`, 'csv' or 'json'."""
    return export_csv(user) if fmt == "csv" else export_json(user)
