"""The migrations build exactly the schema the models describe, both ways."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError, OperationalError

from httracker.extensions import db
from httracker.models import Habit, HabitLog, User

DAY = date(2026, 1, 2)


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    with app.app_context():
        assert schema_differences() == []


def test_downgrade_to_base_then_upgrade_to_head(app):
    with app.app_context():
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "habit", "habit_log"} <= tables
        assert schema_differences() == []


def test_indexes_for_analytics_exist(app):
    with app.app_context():
        indexes = {tuple(ix["column_names"]) for ix in inspect(db.engine).get_indexes("habit_log")}
    assert ("user_id", "date", "minutes") in indexes  # a day's total reads the index alone
    assert ("habit_id", "date") in indexes


def test_database_rejects_a_log_pairing_one_users_habit_with_another_user(app, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    with app.app_context():
        habit = Habit(user_id=alice.id, name="Reading")
        db.session.add(habit)
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(
                insert(HabitLog).values(user_id=bob.id, habit_id=habit.id, date=DAY, minutes=10)
            )
            db.session.flush()
        db.session.rollback()
        assert db.session.query(HabitLog).count() == 0


@pytest.mark.parametrize("minutes", [0, 1441, -5])
def test_database_rejects_minutes_outside_a_day(app, make_user, minutes):
    alice = make_user("alice")
    with app.app_context():
        habit = Habit(user_id=alice.id, name="Reading")
        db.session.add(habit)
        db.session.commit()
        # MariaDB reports a failed CHECK as error 4025, which the driver files as operational.
        with pytest.raises((IntegrityError, OperationalError)):
            db.session.execute(
                insert(HabitLog).values(
                    user_id=alice.id, habit_id=habit.id, date=DAY, minutes=minutes
                )
            )
        db.session.rollback()


def test_deleting_a_user_cascades_to_habits_and_logs(app, make_user):
    alice = make_user("alice")
    with app.app_context():
        habit = Habit(user_id=alice.id, name="Reading")
        db.session.add(habit)
        db.session.flush()
        db.session.add(HabitLog(user_id=alice.id, habit_id=habit.id, date=DAY, minutes=5))
        db.session.commit()
        db.session.execute(db.delete(User).where(User.id == alice.id))
        db.session.commit()
        assert db.session.query(Habit).count() == 0
        assert db.session.query(HabitLog).count() == 0


def test_habit_names_are_unique_per_user_in_any_case(app, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    with app.app_context():
        db.session.add_all(
            [Habit(user_id=alice.id, name="Piano"), Habit(user_id=bob.id, name="Piano")]
        )
        db.session.commit()
        db.session.add(Habit(user_id=alice.id, name="PIANO"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_demo_flag_comes_and_goes_and_the_data_stays(app, make_user, make_habit):
    alice = make_user("alice")
    make_habit(alice.id, "Reading", logs=[(DAY, 30, None)])
    with app.app_context():
        downgrade(revision="0003_habit_log_covering_index")
        columns = {column["name"] for column in inspect(db.engine).get_columns("user_account")}
        assert "is_demo" not in columns
        upgrade()
        assert schema_differences() == []
        # Existing accounts are not demo accounts; every row survived the round trip.
        assert db.session.get(User, alice.id).is_demo is False
        assert db.session.query(Habit).count() == 1
        assert db.session.query(HabitLog).count() == 1
