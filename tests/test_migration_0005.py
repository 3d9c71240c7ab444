"""Migration 0005 (habit kinds, checks, skips, breaks) keeps existing data and its meaning."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, func, insert, inspect, select

from httracker.auth.passwords import hash_password
from httracker.extensions import db
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

FIXTURES = Path(__file__).parent / "fixtures"
BEFORE = "0004_demo_accounts"
NEW_TABLES = {"habit_check", "habit_skip", "habit_break", "habit_break_habit"}
NEW_HABIT_COLUMNS = {"kind", "target_direction", "target_times"}


def utc(text: str, dialect: str) -> datetime:
    """A stored UTC timestamp as the 0004 schema's plain DateTime column takes it."""
    moment = datetime.fromisoformat(text).astimezone(UTC)
    return moment if dialect == "postgresql" else moment.replace(tzinfo=None)


def load_pre_0005_rows(rows: dict, password_hash: str) -> dict[int, int]:
    """Insert the fixture's users, habits and logs into the 0004 schema with Core inserts on
    the tables as the database has them (the models already have 0005's columns); returns the
    habit ids by fixture key."""
    tables = MetaData()
    tables.reflect(bind=db.engine, only=["user_account", "habit", "habit_log"])
    users, habits = tables.tables["user_account"], tables.tables["habit"]
    dialect = db.engine.dialect.name
    user_ids, habit_ids, owners = {}, {}, {}
    with db.engine.begin() as connection:
        for user in rows["users"]:
            values = {key: user[key] for key in ("username", "email", "timezone", "week_start")}
            result = connection.execute(
                insert(users).values(
                    **values,
                    username_key=user["username"].casefold(),
                    password_hash=password_hash,
                    created_at=utc(user["created_at"], dialect),
                    is_demo=False,
                )
            )
            user_ids[user["key"]] = result.inserted_primary_key[0]
        for habit in rows["habits"]:
            names = ("name", "category", "target_minutes", "target_period", "archived")
            result = connection.execute(
                insert(habits).values(
                    **{key: habit[key] for key in names},
                    user_id=user_ids[habit["user"]],
                    name_key=habit["name"].casefold(),
                    created_at=utc(habit["created_at"], dialect),
                )
            )
            habit_ids[habit["key"]] = result.inserted_primary_key[0]
            owners[habit["key"]] = user_ids[habit["user"]]
        connection.execute(
            insert(tables.tables["habit_log"]),
            [
                {
                    "user_id": owners[key],
                    "habit_id": habit_ids[key],
                    "date": date.fromisoformat(day),
                    "minutes": minutes,
                    "note": note,
                    "created_at": utc(f"{day}T20:00:00+00:00", dialect),
                }
                for key, day, minutes, note in rows["logs"]
            ],
        )
    return habit_ids


def assert_same_numbers(actual, recorded, where: tuple) -> None:
    """Every field the recorded document has is in the new one with the same value (scores to
    their one decimal), at any depth; fields added since are not looked at."""
    if isinstance(recorded, dict):
        for name, value in recorded.items():
            assert name in actual, (*where, name)
            assert_same_numbers(actual[name], value, (*where, name))
    elif isinstance(recorded, list):
        assert len(actual) == len(recorded), where
        for n, (got, want) in enumerate(zip(actual, recorded, strict=True)):
            assert_same_numbers(got, want, (*where, n))
    elif where[-1] == "score":
        assert actual == pytest.approx(recorded, abs=0.051), where
    else:
        assert actual == recorded, where


def test_existing_accounts_keep_their_numbers(app, client, auth, pin_today):
    """Two accounts as they were before 0005 (tests/fixtures/pre_0005_account.json: rows from
    a seeded random generator, about 14 months of logs for habits with daily, weekly and no
    targets, an archived one and one never logged) go through the migration; each data.json
    then matches tests/fixtures/pre_0005_analytics.json, which was recorded by requesting the
    same queries with today pinned to the fixture's today on the code before kinds, limits,
    checks and skips existed (the same documents came out at 0004 and at 0005 before the
    analytics used the new rules)."""
    rows = json.loads((FIXTURES / "pre_0005_account.json").read_text())
    recorded = json.loads((FIXTURES / "pre_0005_analytics.json").read_text())
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        downgrade(revision=BEFORE)
        try:
            habit_ids = load_pre_0005_rows(rows, password_hash)
        finally:
            upgrade()
        migrated = {
            habit.id: (habit.kind, habit.target_direction, habit.target_times)
            for habit in db.session.scalars(select(Habit))
        }
        db.session.rollback()
    assert set(migrated.values()) == {("time", "at_least", None)}
    assert set(migrated) == set(habit_ids.values())
    keys = {habit_id: key for key, habit_id in habit_ids.items()}
    logins = {user["key"]: user["username"] for user in rows["users"]}
    pin_today(date.fromisoformat(rows["today"]))
    logged_in = None
    for document in recorded:
        if document["user"] != logged_in:
            auth.logout()
            assert auth.login(logins[document["user"]]).status_code == 302
            logged_in = document["user"]
        query = dict(document["query"])
        if "habit" in query:
            query["habit_id"] = habit_ids[query.pop("habit")]
        response = client.get("/analytics/data.json", query_string=query)
        assert response.status_code == 200, document["query"]
        data = response.get_json()
        for habit in data["habits"]:
            habit["id"] = keys[habit["id"]]  # the fixture's habit keys, as recorded
        assert_same_numbers(data, document["data"], (document["user"], document["query"]))


def test_0005_round_trip_keeps_habits_and_logs_and_their_meaning(app, make_user, make_habit):
    """Down to 0004 and up again with rows in every table: habits and logs stay as they were,
    every habit comes back a time habit with an "at least" target, the new tables come back
    empty."""
    day = date(2025, 6, 2)
    alice = make_user("alice")
    specs = [
        ("Reading", 30, "day", False),
        ("Running", 150, "week", False),
        ("Guitar", None, "day", False),
        ("Chess", 200, "week", True),
    ]
    ids = {
        name: make_habit(
            alice.id, name, target_minutes=target, target_period=period, archived=archived
        )
        for name, target, period, archived in specs
    }
    with app.app_context():
        for n, habit_id in enumerate(ids.values()):
            db.session.add(HabitLog(user_id=alice.id, habit_id=habit_id, date=day, minutes=n + 5))
        # A check habit, a skip and a break with its habit: rows of the new tables, which the
        # downgrade drops with them.
        check = Habit(
            user_id=alice.id, name="Pills", kind="check", target_period="day", target_times=1
        )
        db.session.add(check)
        db.session.flush()
        db.session.add(HabitCheck(user_id=alice.id, habit_id=check.id, date=day))
        db.session.add(HabitSkip(user_id=alice.id, habit_id=ids["Reading"], date=day))
        pause = HabitBreak(user_id=alice.id, start_date=day, end_date=day, all_habits=False)
        db.session.add(pause)
        db.session.flush()
        db.session.add(
            HabitBreakHabit(break_id=pause.id, habit_id=ids["Running"], user_id=alice.id)
        )
        db.session.commit()
        before = sorted(
            db.session.execute(
                select(
                    Habit.name,
                    Habit.category,
                    Habit.target_minutes,
                    Habit.target_period,
                    Habit.archived,
                ).where(Habit.id.in_(ids.values()))
            ).all()
        )
        logs = sorted(
            db.session.execute(select(HabitLog.habit_id, HabitLog.date, HabitLog.minutes)).all()
        )
        db.session.rollback()

        downgrade(revision=BEFORE)
        schema = inspect(db.engine)
        assert NEW_TABLES.isdisjoint(schema.get_table_names())
        assert NEW_HABIT_COLUMNS.isdisjoint(c["name"] for c in schema.get_columns("habit"))
        upgrade()

        assert set(inspect(db.engine).get_table_names()) >= NEW_TABLES
        for model in (HabitCheck, HabitSkip, HabitBreak, HabitBreakHabit):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        habits = db.session.scalars(select(Habit).where(Habit.id.in_(ids.values()))).all()
        assert {(h.kind, h.target_direction, h.target_times) for h in habits} == {
            ("time", "at_least", None)
        }
        after = sorted(
            (h.name, h.category, h.target_minutes, h.target_period, h.archived) for h in habits
        )
        assert after == before
        assert (
            sorted(
                db.session.execute(select(HabitLog.habit_id, HabitLog.date, HabitLog.minutes)).all()
            )
            == logs
        )
        assert db.session.get(User, alice.id) is not None
