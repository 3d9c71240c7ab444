"""`flask transfer`: a whole database copied between engines, keys kept, refused when unsafe.

The source is a SQLite file; the target is a second database on the engine under test
(a SQLite file, or `<test database>_transfer` on the PostgreSQL or MariaDB server)."""

from datetime import UTC, date, datetime, time

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from httracker import create_app
from httracker.auth.services import find_user
from httracker.auth.tokens import create_token
from httracker.extensions import db
from httracker.habits.days import add_break, check_day, skip_day
from httracker.habits.services import add_log, create_habit, set_archived
from httracker.habits.targets import Target
from httracker.models import ApiIdempotencyKey, EmailOutbox, Habit, HabitLog, HabitSkip, User
from httracker.timer.services import start_timer

from .conftest import PASSWORD, recreate_database


def migrated_app(url):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    return app


def drop_database(url):
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        statement = f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'
    elif backend in ("mysql", "mariadb"):
        admin = create_engine(parsed._replace(database=None))
        statement = f"DROP DATABASE IF EXISTS `{parsed.database}`"
    else:
        return
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


@pytest.fixture
def source_url(tmp_path):
    """A SQLite database with the demo account and a second user with data of his own: logs,
    checks, skipped days and breaks (for every habit and for chosen ones), an API token and a
    kept idempotent response."""
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    app = migrated_app(url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--days", "120", "--seed", "5", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["users", "create", "bob", "bob@example.com"], input=PASSWORD)
    with app.app_context():
        bob = find_user("bob")
        bob.timezone = "Europe/Berlin"
        piano = create_habit(bob, "Piano ♪", "Müsik", Target(120, "week"))
        chess = create_habit(bob, "Chess", "Games")
        add_log(bob, piano, date(2024, 5, 1), 45, 'a "note", with commas\nand lines')
        add_log(bob, chess, date(2024, 5, 1), 1440 - 45, None)
        stretch = create_habit(bob, "Stretch", "", Target(None, "week", "check", times=3))
        check_day(bob, stretch, date(2024, 5, 1), "ünder a minute")
        check_day(bob, stretch, date(2024, 5, 2))
        skip_day(bob, piano, date(2024, 5, 2), "sick")
        skip_day(bob, stretch, date(2024, 5, 3))
        add_break(bob, date(2024, 6, 1), date(2024, 6, 14), None, "Holiday")
        add_break(bob, date(2024, 7, 1), date(2024, 7, 2), [piano, stretch], None)
        set_archived(chess, True)
        start_timer(bob, piano, datetime(2024, 5, 3, 9, tzinfo=UTC), note="a running timer")
        # Mail settings and a queued message (the outbox is copied like any table).
        piano.reminder_time, piano.reminder_days = time(7, 30), 0b0011111
        bob.weekly_summary, bob.email_verified = True, True
        db.session.add(
            EmailOutbox(
                user_id=bob.id,
                kind="reminder",
                to_address=bob.email,
                subject="Reminder: Piano ♪",
                text_body="ü " * 100,
                html_body="<p>ü</p>",
                headers='{"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}',
            )
        )
        made = create_token(bob, "Phone", "write", 30)
        db.session.add(
            ApiIdempotencyKey(
                user_id=bob.id,
                token_id=made.token.id,
                key="retry-1",
                fingerprint="0" * 64,
                status=201,
                body='{"id": 1}',
                location="/api/v1/logs/1",
            )
        )
        db.session.commit()
        db.engine.dispose()
    return url


@pytest.fixture
def target_url(database_url, tmp_path):
    """An empty, migrated database on the engine of this test run."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    else:
        url = parsed.set(database=f"{parsed.database}_transfer").render_as_string(
            hide_password=False
        )
        recreate_database(url)
    app = migrated_app(url)
    with app.app_context():
        db.engine.dispose()
    yield url
    drop_database(url)


def to_the_second(row: dict) -> dict:
    """Timestamps to the second: MariaDB keeps no fractions (created_at, the outbox's times)."""
    for column, value in row.items():
        if isinstance(value, datetime):
            row[column] = value.replace(microsecond=0)
    return row


def table_rows(url):
    """Every row of every table, by primary key; created_at (where a table has it) compared to
    the second (MySQL DATETIME keeps no fractions)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = {}
            for table in db.metadata.sorted_tables:
                result = connection.execute(select(table).order_by(*table.primary_key.columns))
                rows[table.name] = [to_the_second(dict(row)) for row in result.mappings()]
            return rows
    finally:
        engine.dispose()


def per_user_day_totals(url):
    """Minutes per user, habit and day, summed by the database itself."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = (
                select(User.username, Habit.name, HabitLog.date, func.sum(HabitLog.minutes))
                .join(HabitLog, HabitLog.user_id == User.id)
                .join(Habit, Habit.id == HabitLog.habit_id)
                .group_by(User.username, Habit.name, HabitLog.date)
            )
            return sorted(tuple(row) for row in connection.execute(query))
    finally:
        engine.dispose()


def test_transfer_copies_everything_once(runner, source_url, target_url):
    result = runner.invoke(args=["transfer", source_url, target_url])
    assert result.exit_code == 0, result.output
    assert "Transfer complete" in result.output
    source, target = table_rows(source_url), table_rows(target_url)
    assert {name: len(rows) for name, rows in target.items()} == {
        name: len(rows) for name, rows in source.items()
    }
    for name in source:
        counted = f"{len(source[name]):>8}  {len(source[name]):>8}"
        assert name in result.output and counted in result.output
    assert len(source["user_account"]) == 2 and len(source["habit_log"]) > 300
    assert [len(source[name]) for name in ("habit_check", "habit_skip", "habit_break")] == [2, 2, 2]
    assert len(source["habit_break_habit"]) == 2
    assert len(source["habit_timer"]) == 1
    assert len(source["api_token"]) == len(source["api_idempotency_key"]) == 1
    assert target == source
    assert per_user_day_totals(target_url) == per_user_day_totals(source_url)

    again = runner.invoke(args=["transfer", source_url, target_url])
    assert again.exit_code == 1
    assert "Error: The target database is not empty" in again.output
    assert "Traceback" not in again.output
    assert table_rows(target_url) == source

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": target_url})
    with app.app_context():
        bob = find_user("bob")
        habit = create_habit(bob, "Drawing")
        log = add_log(bob, habit, date(2024, 6, 1), 30)
        skip_day(bob, habit, date(2024, 6, 2))
        entry = add_break(bob, date(2024, 8, 1), date(2024, 8, 1), [habit])
        db.session.commit()
        assert habit.id > max(row["id"] for row in source["habit"])
        assert log.id > max(row["id"] for row in source["habit_log"])
        assert entry.id > max(row["id"] for row in source["habit_break"])
        skipped = db.session.scalar(select(func.max(HabitSkip.id)))
        assert skipped > max(row["id"] for row in source["habit_skip"])
    response = app.test_client().post("/auth/login", data={"login": "demo", "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_transfer_back_to_sqlite(runner, source_url, target_url, tmp_path):
    """The other direction: from the engine under test into a fresh SQLite file."""
    assert runner.invoke(args=["transfer", source_url, target_url]).exit_code == 0
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    with migrated_app(back).app_context():
        db.engine.dispose()
    result = runner.invoke(args=["transfer", target_url, back])
    assert result.exit_code == 0, result.output
    assert table_rows(back) == table_rows(source_url)


def test_transfer_refuses_an_unmigrated_target(runner, source_url, tmp_path):
    target = f"sqlite:///{tmp_path / 'blank.sqlite'}"
    result = runner.invoke(args=["transfer", source_url, target])
    assert result.exit_code == 1
    assert "target database is at revision none" in result.output
    assert "flask db upgrade" in result.output


def test_transfer_refuses_the_same_database(runner, source_url):
    result = runner.invoke(args=["transfer", source_url, source_url])
    assert result.exit_code == 1 and "the same database" in result.output


def test_transfer_reports_a_bad_url_in_one_line(runner, source_url):
    result = runner.invoke(args=["transfer", source_url, "nosuchdriver://x/y"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot use database URL")
    assert "Traceback" not in result.output


def test_differing_counts_fail_loudly(runner, monkeypatch):
    from httracker.cli import ops
    from httracker.transfer import TableCount

    monkeypatch.setattr(
        ops, "transfer", lambda *args: [TableCount("habit", 3, 3), TableCount("habit_log", 9, 8)]
    )
    result = runner.invoke(args=["transfer", "sqlite:///a", "sqlite:///b"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Error: Row counts differ for: habit_log."
