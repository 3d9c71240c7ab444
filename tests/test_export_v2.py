"""Export format version 2: every kind, direction, check, skipped day and break survives a round
trip through CSV and JSON; files of version 1 import as they always did."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.habits.days import add_break, check_day, skip_day
from httracker.habits.services import add_log, create_habit
from httracker.habits.targets import Target
from httracker.models import (
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitLog,
    HabitSkip,
    User,
)

from .conftest import PASSWORD
from .test_import import upload

FIXTURES = Path(__file__).parent / "fixtures"
DAY = date(2024, 3, 4)
# Within a year from today in every time zone: skips and breaks may be planned ahead.
AHEAD = datetime.now(UTC).date() + timedelta(days=30)
YOGA = 'Yoga, "hot"'


def everything(app, username="alice"):
    """All of a user's data an export carries, independent of ids."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        habits = db.session.scalars(select(Habit).where(Habit.user_id == user.id)).all()
        names = {habit.id: habit.name for habit in habits}

        def rows(model, *columns):
            query = select(model).where(model.user_id == user.id)
            return sorted(
                (
                    (names[entry.habit_id], *(getattr(entry, c) for c in columns))
                    for entry in db.session.scalars(query)
                ),
                key=repr,
            )

        chosen: dict[int, list[str]] = {}
        links = select(HabitBreakHabit).where(HabitBreakHabit.user_id == user.id)
        for link in db.session.scalars(links):
            chosen.setdefault(link.break_id, []).append(names[link.habit_id])
        breaks = sorted(
            (
                (b.start_date, b.end_date, None if b.all_habits else sorted(chosen[b.id]), b.note)
                for b in db.session.scalars(select(HabitBreak).where(HabitBreak.user_id == user.id))
            ),
            key=repr,
        )
        return {
            "habits": sorted(
                (
                    h.name,
                    h.category,
                    h.kind,
                    h.target_minutes,
                    h.target_period,
                    h.target_direction,
                    h.target_times,
                    h.archived,
                )
                for h in habits
            ),
            "logs": rows(HabitLog, "date", "minutes", "note"),
            "checks": rows(HabitCheck, "date", "note"),
            "skips": rows(HabitSkip, "date", "note"),
            "breaks": breaks,
        }


@pytest.fixture
def alice(make_user):
    """Alice, not logged in: a logged-in test client keeps its last request's context (and
    database session) open, which read-only CLI commands would then share."""
    return make_user("alice")


@pytest.fixture
def every_kind(app, alice):
    """Habits of every kind, period and direction, with logs, checks, skipped days and breaks
    (for every habit, for chosen habits, twice the same, planned ahead)."""
    with app.app_context():
        owner = db.session.get(User, alice.id)
        reading = create_habit(owner, "Reading", "Learning", Target(30))
        social = create_habit(owner, "Social media", "Screen", Target(60, direction="at_most"))
        gaming = create_habit(owner, "Gaming", "Screen", Target(300, "week", direction="at_most"))
        piano = create_habit(owner, "=Piano", "-Music", Target(120, "week"))
        create_habit(owner, "Walk", "", Target())
        meds = create_habit(owner, "Medication", "Health", Target(kind="check"))
        gym = create_habit(owner, "Gym", "@Health", Target(None, "week", "check", times=3))
        gym.archived = True
        yoga = create_habit(owner, YOGA, "", Target(None, "week", "check", times=7))
        add_log(owner, reading, DAY, 30, "=1+1")
        add_log(owner, reading, DAY, 30, "=1+1")  # two identical logs both survive
        add_log(owner, social, DAY, 75, 'commas, "quotes"\nand lines')
        add_log(owner, gaming, DAY + timedelta(days=1), 120)
        add_log(owner, piano, DAY + timedelta(days=2), 45)
        check_day(owner, meds, DAY, "with breakfast")
        check_day(owner, meds, DAY + timedelta(days=1))
        check_day(owner, gym, DAY, "+legs")
        skip_day(owner, reading, DAY, "sick")  # a skipped day with a log
        skip_day(owner, meds, DAY + timedelta(days=5))
        skip_day(owner, yoga, AHEAD, "@retreat")
        add_break(owner, DAY + timedelta(days=10), DAY + timedelta(days=20), None, "Holiday")
        add_break(owner, DAY, DAY + timedelta(days=3), [gym, yoga], "=knee")
        add_break(owner, DAY, DAY + timedelta(days=3), [gym, yoga], "=knee")
        add_break(owner, AHEAD, AHEAD + timedelta(days=6), [piano], None)
        db.session.commit()
    return alice


ADDED = "Imported 8 habits, 5 logs, 3 checks, 3 skipped days and 4 breaks."


def export(runner, path: Path) -> str:
    result = runner.invoke(args=["export", "alice", "-o", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        document = json.loads(text)
        del document["exported_at"]
        return json.dumps(document)
    return text


def recreate_alice(runner):
    assert runner.invoke(args=["users", "delete", "alice", "--yes"]).exit_code == 0
    created = runner.invoke(args=["users", "create", "alice", "alice@example.com"], input=PASSWORD)
    assert created.exit_code == 0, created.output


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_of_every_kind_is_exact_and_a_second_import_adds_nothing(
    app, runner, every_kind, fmt, tmp_path
):
    before = everything(app)
    first = export(runner, tmp_path / f"first.{fmt}")
    recreate_alice(runner)
    assert everything(app)["habits"] == []
    result = runner.invoke(args=["import", "alice", str(tmp_path / f"first.{fmt}")])
    assert result.exit_code == 0, result.output
    assert ADDED in result.output
    assert everything(app) == before
    assert export(runner, tmp_path / f"second.{fmt}") == first
    again = runner.invoke(args=["import", "alice", str(tmp_path / f"second.{fmt}")])
    assert again.exit_code == 0, again.output
    # 5 logs, 3 checks, 3 skipped days and 4 breaks, every one already there.
    assert "Imported 0 habits and 0 logs (15 already there)." in again.output
    assert everything(app) == before


def test_web_import_of_version_2_names_what_it_added(app, client, auth, runner, every_kind):
    before = everything(app)
    auth.login()
    exported = client.get("/settings/export.json").get_data()
    recreate_alice(runner)
    auth.login()
    assert upload(client, exported, "alice.json").status_code == 302
    assert ADDED in client.get("/settings/").get_data(as_text=True)
    assert everything(app) == before


def test_json_carries_kinds_checks_skips_and_breaks(client, auth, every_kind):
    auth.login()
    document = json.loads(client.get("/settings/export.json").get_data(as_text=True))
    assert document["version"] == 2
    habits = {habit["name"]: habit for habit in document["habits"]}
    gym = habits["Gym"]
    assert (gym["kind"], gym["target_period"], gym["target_times"]) == ("check", "week", 3)
    assert gym["target_minutes"] is None and gym["logs"] == []
    assert gym["checks"] == [{"date": DAY.isoformat(), "note": "+legs"}]
    social = habits["Social media"]
    assert (social["kind"], social["target_direction"], social["target_minutes"]) == (
        "time",
        "at_most",
        60,
    )
    assert habits["Reading"]["skips"] == [{"date": DAY.isoformat(), "note": "sick"}]
    knee = {"start": "2024-03-04", "end": "2024-03-07", "habits": ["Gym", YOGA], "note": "=knee"}
    assert document["breaks"] == [
        knee,
        knee,
        {"start": "2024-03-14", "end": "2024-03-24", "habits": None, "note": "Holiday"},
        {
            "start": AHEAD.isoformat(),
            "end": (AHEAD + timedelta(days=6)).isoformat(),
            "habits": ["=Piano"],
            "note": None,
        },
    ]


def test_csv_has_a_row_per_entry_and_per_habit_of_a_break(client, auth, every_kind):
    auth.login()
    text = client.get("/settings/export.csv").get_data(as_text=True)
    assert text.splitlines()[0] == (
        "date,habit,category,minutes,note,target_minutes,target_period,archived,"
        "kind,target_direction,target_times,entry,end,break"
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    first_day = [
        (row["habit"], row["entry"], row["minutes"], row["note"])
        for row in rows
        if row["date"] == DAY.isoformat() and row["entry"] != "break"
    ]
    assert first_day == [
        ("Gym", "check", "", "'+legs"),
        ("Medication", "check", "", "with breakfast"),
        ("Reading", "log", "30", "'=1+1"),
        ("Reading", "log", "30", "'=1+1"),
        ("Reading", "skip", "", "sick"),
        ("Social media", "log", "75", 'commas, "quotes"\nand lines'),
    ]
    gym = next(row for row in rows if row["habit"] == "Gym")
    assert (gym["kind"], gym["target_period"], gym["target_times"], gym["archived"]) == (
        "check",
        "week",
        "3",
        "true",
    )
    assert next(row for row in rows if row["habit"] == "Walk")["entry"] == "habit"
    breaks = [
        (row["date"], row["end"], row["habit"], row["note"], row["break"])
        for row in rows
        if row["entry"] == "break"
    ]
    assert breaks == [
        ("2024-03-04", "2024-03-07", "Gym", "'=knee", "1"),
        ("2024-03-04", "2024-03-07", YOGA, "'=knee", "1"),
        ("2024-03-04", "2024-03-07", "Gym", "'=knee", "2"),
        ("2024-03-04", "2024-03-07", YOGA, "'=knee", "2"),
        ("2024-03-14", "2024-03-24", "", "Holiday", "3"),
        (AHEAD.isoformat(), (AHEAD + timedelta(days=6)).isoformat(), "'=Piano", "", "4"),
    ]
    described = ("category", "minutes", "target_minutes", "kind", "target_times")
    assert all(not row[name] for row in rows if row["entry"] == "break" for name in described)


def test_a_break_whose_habits_were_all_deleted_is_left_out(app, runner, alice, tmp_path):
    with app.app_context():
        owner = db.session.get(User, alice.id)
        piano = create_habit(owner, "Piano")
        add_break(owner, DAY, DAY, [piano], "only piano")
        add_break(owner, DAY, DAY, None, "everything")
        db.session.commit()
        db.session.delete(piano)
        db.session.commit()
    path = tmp_path / "alice.json"
    document = json.loads(export(runner, path))
    assert document["breaks"] == [
        {"start": "2024-03-04", "end": "2024-03-04", "habits": None, "note": "everything"}
    ]


V1_EXPECTED = {
    "habits": [
        ("=Running", "-Health", "time", 150, "week", "at_least", None, False),
        ("Old habit", "", "time", None, "day", "at_least", None, True),
        ("Reading", "Learning", "time", 30, "day", "at_least", None, False),
    ],
    "logs": sorted(
        [
            ("=Running", date(2024, 2, 1), 45, None),
            ("Reading", date(2024, 2, 1), 25, 'commas, "quotes"\nand lines'),
            ("Reading", date(2024, 2, 2), 40, "=1+1"),
            ("Reading", date(2024, 2, 2), 40, "=1+1"),
        ],
        key=repr,
    ),
    "checks": [],
    "skips": [],
    "breaks": [],
}


@pytest.mark.parametrize("name", ["export_v1.csv", "export_v1.json"])
def test_version_1_files_import_as_before(app, runner, alice, name):
    """Files written by the version-1 exporter, kept as they were."""
    path = FIXTURES / name
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 habits and 4 logs." in result.output
    assert everything(app) == V1_EXPECTED
    again = runner.invoke(args=["import", "alice", str(path)])
    assert "Imported 0 habits and 0 logs (4 already there)." in again.output
    assert everything(app) == V1_EXPECTED


def test_the_bare_five_column_csv_imports_as_before(app, runner, alice):
    result = runner.invoke(args=["import", "alice", str(FIXTURES / "export_five_columns.csv")])
    assert result.exit_code == 0, result.output
    assert "Imported 2 habits and 3 logs." in result.output
    data = everything(app)
    assert data["habits"] == [
        ("Reading", "Learning", "time", None, "day", "at_least", None, False),
        ("Walk", "", "time", None, "day", "at_least", None, False),
    ]
    assert data["logs"] == [
        ("Reading", date(2024, 2, 1), 25, "first chapter"),
        ("Reading", date(2024, 2, 2), 30, None),
        ("Walk", date(2024, 2, 1), 40, None),
    ]
