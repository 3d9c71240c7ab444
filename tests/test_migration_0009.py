"""Migration 0009 (habit colours and order): existing habits keep the order they were listed in
(by name, per user) and take the palette's colours in turn."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, insert, select

from httracker.extensions import db
from httracker.habits.colours import COLOUR_KEYS
from httracker.models import Habit

BEFORE = "0005_habit_kinds_checks_skips"


def test_existing_habits_get_their_list_order_and_colours_in_turn(app, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    alice_names = ["delta", "Alpha", "charlie", "Bravo"] + [f"h{n:02d}" for n in range(7)]
    with app.app_context():
        downgrade(revision=BEFORE)
        try:
            tables = MetaData()
            tables.reflect(bind=db.engine, only=["habit"])
            habit = tables.tables["habit"]
            created = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
            if db.engine.dialect.name != "postgresql":
                created = created.replace(tzinfo=None)
            with db.engine.begin() as connection:
                for owner, names in ((alice, alice_names), (bob, ["zed", "Yak"])):
                    for name in names:
                        connection.execute(
                            insert(habit).values(
                                user_id=owner.id,
                                name=name,
                                name_key=name.casefold(),
                                category="",
                                target_period="day",
                                archived=name == "charlie",
                                created_at=created,
                            )
                        )
        finally:
            upgrade()
        rows = db.session.execute(
            select(Habit.user_id, Habit.name, Habit.position, Habit.colour).order_by(
                Habit.user_id, Habit.position
            )
        ).all()
        db.session.rollback()
    alice_rows = [row for row in rows if row.user_id == alice.id]
    expected = sorted(alice_names, key=str.casefold)
    assert [row.name for row in alice_rows] == expected
    assert [row.position for row in alice_rows] == list(range(len(expected)))
    palette = list(COLOUR_KEYS)
    assert [row.colour for row in alice_rows] == [
        palette[index % len(palette)] for index in range(len(expected))
    ]
    bob_rows = [(row.name, row.position, row.colour) for row in rows if row.user_id == bob.id]
    assert bob_rows == [("Yak", 0, palette[0]), ("zed", 1, palette[1])]


def test_a_downgrade_drops_the_columns_and_keeps_the_habits(app, make_user, make_habit):
    alice = make_user("alice")
    make_habit(alice.id, "Reading")
    with app.app_context():
        downgrade(revision=BEFORE)
        try:
            tables = MetaData()
            tables.reflect(bind=db.engine, only=["habit"])
            columns = set(tables.tables["habit"].columns.keys())
            with db.engine.connect() as connection:
                names = connection.execute(select(tables.tables["habit"].c.name)).scalars().all()
        finally:
            upgrade()
    assert not {"colour", "position"} & columns
    assert names == ["Reading"]
