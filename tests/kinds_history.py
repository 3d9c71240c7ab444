"""Histories of habits of every kind, period and direction — logs, checks, skipped days and
breaks — stored through the models and turned into the per-habit numbers tests/oracle.py's
Reference expects of /analytics/data.json."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, insert

from httracker.extensions import db
from httracker.models import (
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitLog,
    HabitSkip,
)

from .oracle import Reference, every_day


@dataclass(frozen=True)
class Spec:
    name: str
    category: str
    kind: str
    period: str
    direction: str = "at_least"
    minutes: int | None = None
    times: int | None = None
    archived: bool = False

    def columns(self) -> dict:
        return {
            "name": self.name,
            "category": self.category,
            "kind": self.kind,
            "target_period": self.period,
            "target_direction": self.direction,
            "target_minutes": self.minutes,
            "target_times": self.times,
            "archived": self.archived,
        }


# Every kind × period × direction, the no-target time habits of both periods, an archived
# weekly check and an archived limit.
SPECS = (
    Spec("Reading", "Mind", "time", "day", minutes=30),
    Spec("Running", "Body", "time", "week", minutes=150),
    Spec("Phone", "Screen", "time", "day", "at_most", minutes=60),
    Spec("Games", "Screen", "time", "week", "at_most", minutes=300),
    Spec("Guitar", "Music", "time", "day"),
    Spec("Sketching", "Music", "time", "week"),
    Spec("Pills", "Body", "check", "day", times=1),
    Spec("Gym", "Body", "check", "week", times=3),
    Spec("Flossing", "", "check", "week", times=5, archived=True),
    Spec("Sweets", "", "time", "day", "at_most", minutes=20, archived=True),
)


@dataclass
class History:
    """What a user holds: habit i is SPECS[i], created at created_at[i] (UTC); logs are
    (habit index, day, minutes), checks and skips (habit index, day), breaks (first day, last
    day, habit indexes or None for all habits)."""

    created_at: list[datetime]
    logs: list[tuple[int, date, int]] = field(default_factory=list)
    checks: set[tuple[int, date]] = field(default_factory=set)
    skips: set[tuple[int, date]] = field(default_factory=set)
    breaks: list[tuple[date, date, frozenset[int] | None]] = field(default_factory=list)


def store(app, user_id: int, history: History) -> list[int]:
    """Write the history for the user (replacing their habits and breaks); the habit ids."""
    with app.app_context():
        db.session.execute(delete(HabitBreak).where(HabitBreak.user_id == user_id))
        db.session.execute(delete(Habit).where(Habit.user_id == user_id))
        habits = [
            Habit(user_id=user_id, created_at=created_at, **spec.columns())
            for spec, created_at in zip(SPECS, history.created_at, strict=True)
        ]
        db.session.add_all(habits)
        db.session.flush()
        ids = [habit.id for habit in habits]

        def rows(entries):
            return [{"user_id": user_id, "habit_id": ids[i], "date": day} for i, day in entries]

        if history.logs:
            db.session.execute(
                insert(HabitLog),
                [
                    {"user_id": user_id, "habit_id": ids[i], "date": day, "minutes": minutes}
                    for i, day, minutes in history.logs
                ],
            )
        for model, entries in ((HabitCheck, history.checks), (HabitSkip, history.skips)):
            if entries:
                db.session.execute(insert(model), rows(sorted(entries)))
        for first, last, chosen in history.breaks:
            entry = HabitBreak(
                user_id=user_id, start_date=first, end_date=last, all_habits=chosen is None
            )
            db.session.add(entry)
            db.session.flush()
            for i in sorted(chosen or ()):
                db.session.add(HabitBreakHabit(break_id=entry.id, habit_id=ids[i], user_id=user_id))
        db.session.commit()
        return ids


def references(history: History, timezone: str, week_start: str, today: date) -> list:
    """One Reference per habit: skips are its skip rows and the days of the breaks covering it;
    `created` is the day it was made in the user's time zone."""
    found = []
    for index, spec in enumerate(SPECS):
        minutes: dict[date, int] = {}
        for i, day, spent in history.logs:
            if i == index:
                minutes[day] = minutes.get(day, 0) + spent
        checks = {day for i, day in history.checks if i == index}
        skips = {day for i, day in history.skips if i == index}
        for first, last, chosen in history.breaks:
            if chosen is None or index in chosen:
                skips.update(every_day(first, last))
        created = history.created_at[index].astimezone(ZoneInfo(timezone)).date()
        found.append(Reference(spec.columns(), minutes, checks, skips, created, today, week_start))
    return found


def expected_habit(spec: Spec, reference: Reference, start: date, end: date) -> dict:
    """Every per-habit field of data.json for a range, from the reference and the raw days."""
    runs = reference.best_runs()
    in_range = {day: spent for day, spent in reference.minutes.items() if start <= day <= end}
    return {
        "name": spec.name,
        "category": spec.category,
        "archived": spec.archived,
        "kind": spec.kind,
        "target_direction": spec.direction,
        "target_minutes": spec.minutes,
        "target_period": spec.period,
        "target_times": spec.times,
        "minutes": sum(in_range.values()),
        "days_logged": len(in_range),
        "checks": sum(start <= day <= end for day in reference.checks),
        "skipped_days": reference.skipped_days(start, end),
        "current_streak": reference.current_streak(),
        "longest_streak": runs[0][2] if runs else 0,
        "week_streak": reference.week_streak(),
        "score": reference.score(),
        "target_success_rate": reference.success_rate(start, end),
    }


def check_document(document: dict, refs: list, ids: list[int], chosen, start, end, query):
    """data.json agrees with the references for the chosen habit indexes over start–end: every
    per-habit number, and the minutes-only totals, daily sums and categories."""
    assert document["range"] == {"start": start.isoformat(), "end": end.isoformat()}, query
    order = sorted(chosen, key=lambda i: SPECS[i].name.casefold())
    assert [habit["id"] for habit in document["habits"]] == [ids[i] for i in order], query
    for got, i in zip(document["habits"], order, strict=True):
        want = expected_habit(SPECS[i], refs[i], start, end)
        for key, value in want.items():
            where = (query, SPECS[i].name, key)
            if key == "score":
                assert got[key] == pytest.approx(value, abs=0.051), where
            elif key == "target_success_rate" and value is not None:
                assert got[key] == pytest.approx(value, abs=1e-4), where
            else:
                assert got[key] == value, where
    daily = dict.fromkeys(every_day(start, end), 0)
    categories: dict[str, int] = {}
    for i in chosen:
        for day, spent in refs[i].minutes.items():
            if start <= day <= end:
                daily[day] += spent
                categories[SPECS[i].category] = categories.get(SPECS[i].category, 0) + spent
    assert document["totals"]["minutes"] == sum(daily.values()), query
    assert document["daily"] == [
        {"date": day.isoformat(), "minutes": spent} for day, spent in daily.items()
    ], query
    ranked = sorted(categories.items(), key=lambda item: (-item[1], item[0]))
    assert document["categories"] == [
        {"category": name, "minutes": spent} for name, spent in ranked if spent
    ], query


def back(today: date, days: int) -> date:
    """The day `days` before today (after it, for a negative number)."""
    return today - timedelta(days=days)
