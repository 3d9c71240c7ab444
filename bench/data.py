"""Benchmark data at scale: the demo generator's logs, bulk-loaded with PostgreSQL COPY.

Ids are assigned here (and the sequences moved past them afterwards), so habits and logs can be
streamed without a round trip per row."""

import os
import random
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from config import Config
from httracker.demo import DEMO_HABITS, demo_logs
from httracker.models import MAX_DAY_MINUTES, fold

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1234"  # noqa: S105 - a throwaway account on a throwaway database
EARLIEST = date(2000, 1, 1)  # the analytics week numbers count from just before this day
GROWTH_HABITS = 20  # growth accounts have the heavy user's shape; only their history differs


@dataclass
class Account:
    """A user the benchmark logs in as, with its habit ids and how many logs it holds."""

    username: str
    user_id: int
    habit_ids: list[int] = field(default_factory=list)
    logs: int = 0


@dataclass
class Loaded:
    """What the generator put in the database."""

    population: list[Account]
    heavy: Account
    writer: Account
    growth: dict[int, Account]
    total_logs: int
    seconds: float = 0.0


def production_hasher() -> PasswordHasher:
    """Argon2id with the parameters the production config uses."""
    return PasswordHasher(
        time_cost=Config.ARGON2_TIME_COST,
        memory_cost=Config.ARGON2_MEMORY_COST,
        parallelism=Config.ARGON2_PARALLELISM,
    )


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as a plain libpq connection string for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate_database(database_url: str) -> None:
    """Drop and create the benchmark database (never any other)."""
    url = make_url(database_url)
    name = url.database
    if not name or "bench" not in name:
        raise SystemExit(
            f"refusing to drop {name!r}: the benchmark database name must hold 'bench'"
        )
    admin = libpq_url(url.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def migrate(database_url: str) -> None:
    """Build the schema the way a deployment does: `flask db upgrade`."""
    environ = dict(os.environ, DATABASE_URL=database_url, ENV="production")
    environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    command = [sys.executable, "-m", "flask", "--app", "httracker", "db", "upgrade"]
    subprocess.run(command, cwd=PROJECT, env=environ, check=True, capture_output=True)  # noqa: S603 - our own flask


def dense_logs(seed: int, habits: int, days: int, today: date):
    """Every habit every day for `days` days up to today, as (habit index, date, minutes, note).

    The minutes follow the demo habits' ranges, capped so a day never passes 1440 minutes."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    cap = MAX_DAY_MINUTES // habits
    first = today - timedelta(days=days - 1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        for index in range(habits):
            spec = DEMO_HABITS[index % len(DEMO_HABITS)]
            minutes = min(cap, rng.randint(*spec.minutes))
            note = spec.notes[0] if spec.notes and rng.random() < 0.05 else None
            yield index, day, minutes, note


class Loader:
    """Streams users, habits and logs into one COPY per table."""

    def __init__(self, connection: psycopg.Connection, password_hash: str):
        self.connection = connection
        self.password_hash = password_hash
        self.created = datetime(2000, 1, 1, tzinfo=UTC)
        self.users: list[tuple] = []
        self.habits: list[tuple] = []
        self.next_user = 1
        self.next_habit = 1
        self.log_copy = None

    def add_user(self, username: str, habits: int) -> Account:
        account = Account(username, self.next_user)
        self.next_user += 1
        email = f"{username}@bench.example.com"
        self.users.append(
            (account.user_id, username, fold(username), email, self.password_hash, self.created)
        )
        for index in range(habits):
            spec = DEMO_HABITS[index % len(DEMO_HABITS)]
            lap = index // len(DEMO_HABITS)
            name = spec.name if lap == 0 else f"{spec.name} {lap + 1}"
            self.habits.append(
                (
                    self.next_habit,
                    account.user_id,
                    name,
                    fold(name),
                    spec.category,
                    spec.target_minutes,
                    spec.target_period,
                    spec.archived and index < len(DEMO_HABITS),
                    self.created,
                )
            )
            account.habit_ids.append(self.next_habit)
            self.next_habit += 1
        return account

    def write_parents(self) -> None:
        """Users and habits go first: the logs' foreign keys point at them."""
        with self.connection.cursor() as cursor:
            columns = "id, username, username_key, email, password_hash, created_at"
            with cursor.copy(f"COPY user_account ({columns}) FROM STDIN") as copy:
                for row in self.users:
                    copy.write_row(row)
            columns = (
                "id, user_id, name, name_key, category, target_minutes, target_period, archived,"
                " created_at"
            )
            with cursor.copy(f"COPY habit ({columns}) FROM STDIN") as copy:
                for row in self.habits:
                    copy.write_row(row)

    def copy_logs(self, account: Account, rows) -> None:
        """Stream (habit index, date, minutes, note) rows of one account into habit_log."""
        columns = "user_id, habit_id, date, minutes, note, created_at"
        statement = f"COPY habit_log ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for index, day, minutes, note in rows:
                row = (account.user_id, account.habit_ids[index], day, minutes, note, self.created)
                copy.write_row(row)
                account.logs += 1

    def finish(self) -> None:
        with self.connection.cursor() as cursor:
            for table in ("user_account", "habit", "habit_log"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" (SELECT max(id) FROM {table}))"
                )
        self.connection.commit()
        with self.connection.cursor() as cursor:
            self.connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
            # Write the loaded pages out now. Otherwise the next timed checkpoint writes them
            # (some 15,000 buffers, spread over minutes) while the requests are measured, and
            # each page a request changes first after it began goes to the WAL whole: a log's
            # COMMIT then waits on far more than its own rows.
            cursor.execute("CHECKPOINT")


def growth_shape(logs: int, habits: int, today: date) -> tuple[int, int]:
    """(habits, days) holding about `logs` logs with every habit logged every day."""
    days = max(1, round(logs / habits))
    longest = (today - EARLIEST).days
    while days > longest:
        habits += 5
        days = max(1, round(logs / habits))
    return habits, days


def load(database_url: str, sizes, seed: int = 7) -> Loaded:
    """Fill the (migrated, empty) database with the population, heavy, writer and growth users."""
    password_hash = production_hasher().hash(PASSWORD)  # once: Argon2 is slow by design
    today = datetime.now(UTC).date()
    with psycopg.connect(libpq_url(database_url)) as connection:
        loader = Loader(connection, password_hash)
        population = [
            loader.add_user(f"pop{number:05d}", sizes.habits) for number in range(sizes.users)
        ]
        heavy_habits = sizes.heavy_habits
        heavy = loader.add_user("heavy", heavy_habits)
        writer = loader.add_user("writer", 1)
        growth = {}
        shapes = {}
        for logs in sizes.growth:
            habits, days = growth_shape(logs, GROWTH_HABITS, today)
            shapes[logs] = (habits, days)
            growth[logs] = loader.add_user(f"grow{logs}", habits)
        loader.write_parents()
        for number, account in enumerate(population):
            logs = demo_logs(seed + number, sizes.days, today)
            rows = (
                (log.habit, log.date, log.minutes, log.note)
                for log in logs
                if log.habit < sizes.habits
            )
            loader.copy_logs(account, rows)
        loader.copy_logs(heavy, dense_logs(seed, heavy_habits, sizes.heavy_years * 365, today))
        for logs, account in growth.items():
            habits, days = shapes[logs]
            loader.copy_logs(account, dense_logs(seed + logs, habits, days, today))
        loader.finish()
    accounts = [*population, heavy, *growth.values()]
    return Loaded(population, heavy, writer, growth, sum(account.logs for account in accounts))
