"""Faults survived for real: connections killed by the database, idle connections closed, a
request cut off mid-transaction, and requests racing each other (PostgreSQL and MariaDB)."""

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.exceptions import NotFound

from config import engine_options
from httracker import create_app
from httracker.auth.sessions import load_session_user, start_session
from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.habits.queries import habits_of
from httracker.habits.services import (
    RuleBroken,
    add_log,
    add_log_unread,
    create_habit,
    delete_habit,
    set_archived,
    update_habit,
)
from httracker.habits.targets import Target
from httracker.models import Habit, HabitLog, User, UserSession
from httracker.timeutil import user_today

from .conftest import PASSWORD
from .statements import reads_habit

THREADS = 20


@pytest.fixture
def backend(database_url):
    name = make_url(database_url).get_backend_name()
    if name == "sqlite":
        pytest.skip("needs a database server (PostgreSQL or MariaDB)")
    return name


@pytest.fixture
def admin(database_url, backend):
    """A connection of our own, outside the app's pool, for killing the app's connections."""
    engine = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


def kill_other_connections(admin, backend) -> int:
    """End every connection to the test database except the admin one; how many ended."""
    with admin.connect() as conn:
        if backend == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
            return len(rows)
        ids = conn.scalars(
            text(
                "SELECT ID FROM information_schema.PROCESSLIST"
                " WHERE DB = DATABASE() AND ID <> CONNECTION_ID()"
            )
        ).all()
        for connection_id in ids:
            conn.execute(text(f"KILL CONNECTION {int(connection_id)}"))
        return len(ids)


def kill_connection(admin, backend, dbapi_connection) -> None:
    """End one connection of the app's pool from outside, as a crash or failover would."""
    with admin.connect() as conn:
        if backend == "postgresql":
            pid = dbapi_connection.info.backend_pid
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            conn.execute(text(f"KILL CONNECTION {int(dbapi_connection.thread_id())}"))


def test_next_request_succeeds_after_the_database_drops_every_connection(
    app, client, user, admin, backend
):
    assert client.get("/dashboard").status_code == 200
    assert kill_other_connections(admin, backend) >= 1
    assert client.get("/dashboard").status_code == 200
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_connections_are_recycled_before_mariadb_closes_them(app, admin, backend):
    if backend != "mysql":
        pytest.skip("MariaDB only")
    with admin.connect() as conn:
        wait_timeout = conn.scalar(text("SELECT @@GLOBAL.wait_timeout"))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] < wait_timeout


def test_a_connection_closed_by_mariadb_idle_timeout_is_replaced(app, client, user, backend):
    if backend != "mysql":
        pytest.skip("MariaDB only")
    with app.app_context():
        engine = db.engine

    def short_timeout(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION wait_timeout = 1")
        cursor.close()

    event.listen(engine, "connect", short_timeout)
    try:
        engine.dispose()
        assert client.get("/dashboard").status_code == 200
        time.sleep(2.5)  # the server closes the idle pooled connection meanwhile
        assert client.get("/dashboard").status_code == 200
    finally:
        event.remove(engine, "connect", short_timeout)
        engine.dispose()


def test_a_request_cut_off_mid_transaction_writes_nothing(
    app, client, user, admin, backend, monkeypatch
):
    other = app.test_client()
    other.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    with app.app_context():
        before = db.session.get(User, user.id).password_hash
        engine = db.engine
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def cut(conn, cursor, statement, parameters, context, executemany):
        # The password's UPDATE has run in this transaction; the session DELETE never will.
        if statement.lstrip().upper().startswith("DELETE FROM USER_SESSION"):
            kill_connection(admin, backend, conn.connection.dbapi_connection)

    event.listen(engine, "before_cursor_execute", cut)
    try:
        new = "quartz lantern meadow 42"
        data = {"current_password": PASSWORD, "new_password": new, "confirm": new}
        response = client.post("/settings/password", data=data)
    finally:
        event.remove(engine, "before_cursor_execute", cut)
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"Traceback" not in response.data
    with app.app_context():
        assert db.session.get(User, user.id).password_hash == before
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 2
    # The app carries on: both devices still work.
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 200


@pytest.fixture
def race_app(database_url, app, backend):
    """The app with a pool big enough for every thread to hold a connection at once."""
    options = {**engine_options(database_url), "pool_size": THREADS, "max_overflow": 0}
    racing = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )
    yield racing
    with racing.app_context():
        db.engine.dispose()


def run_together(app, work):
    """Run `work()` in THREADS threads at once, each with its own app context and session."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def worker(index):
        with app.app_context():
            try:
                results[index] = work(barrier)
            except Exception as error:  # reported by the test, not lost in the thread
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def alice_with_piano(app, make_user):
    """Alice, the id of her habit Piano, and her yesterday."""
    alice = make_user("alice")
    with app.app_context():
        habit = create_habit(db.session.get(User, alice.id), "Piano")
        db.session.commit()
        return alice, habit.id, user_today(db.session.get(User, alice.id)) - timedelta(days=1)


def test_the_day_limit_holds_under_concurrent_logs(race_app, make_user):
    app = race_app
    alice, habit_id, day = alice_with_piano(app, make_user)

    def log_100_minutes(barrier):
        # Load first, as a request would, so each transaction has read before the race starts.
        user, habit = db.session.get(User, alice.id), db.session.get(Habit, habit_id)
        barrier.wait(timeout=60)
        try:
            add_log(user, habit, day, 100)
            db.session.commit()
            return "logged"
        except RuleBroken as error:
            db.session.rollback()
            return error.field

    results = run_together(app, log_100_minutes)
    assert results.count("logged") == 14, results
    assert results.count("minutes") == THREADS - 14, results
    with app.app_context():
        total = db.session.scalar(select(func.sum(HabitLog.minutes)).where(HabitLog.date == day))
    assert total == 1400


def test_habit_names_stay_unique_under_concurrent_creates(race_app, make_user):
    app = race_app
    alice = make_user("alice")

    def create_piano(barrier):
        user = db.session.get(User, alice.id)
        barrier.wait(timeout=60)
        try:
            create_habit(user, "Piano")
            db.session.commit()
            return "created"
        except RuleBroken as error:
            db.session.rollback()
            return error.field

    results = run_together(app, create_piano)
    assert results.count("created") == 1, results
    assert results.count("name") == THREADS - 1, results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Habit)) == 1


def session_token(app, user_id: int) -> str:
    """A live session for the user, as a login leaves."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        start_session(user)
        db.session.commit()
        return user.session_token


def habit_selects(app):
    """Record every statement the app's engine runs that reads habits (statements.reads_habit)."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if reads_habit(statement):
            seen.append(statement)

    return seen, record


@pytest.mark.parametrize("meanwhile", ["archived", "deleted", "made a check habit"])
def test_a_habit_changed_between_a_requests_read_and_its_log_is_seen_under_the_lock(
    app, make_user, backend, meanwhile
):
    """A request reads its user and habits, another commits a change to the habit, then the
    first logs time: under the lock it works from the habit as committed, not as first read."""
    alice = make_user("alice")
    with app.app_context():
        piano = create_habit(db.session.get(User, alice.id), "Piano")
        db.session.commit()
        habit_id = piano.id
    token = session_token(app, alice.id)
    with app.test_request_context():
        user = load_session_user(token)
        (habit,) = db.session.scalars(habits_of(user, active=True)).all()
        day = user_today(user) - timedelta(days=1)
        with app.app_context():  # another request, with its own session and connection
            other = db.session.get(Habit, habit_id)
            if meanwhile == "archived":
                set_archived(other, True)
            elif meanwhile == "deleted":
                delete_habit(other)
            else:
                update_habit(other.user, other, "Piano", "", Target(kind="check", times=1))
            db.session.commit()
            db.session.remove()
        if meanwhile == "deleted":
            with pytest.raises(NotFound):
                add_log(user, habit, day, 30)
        elif meanwhile == "made a check habit":
            with pytest.raises(RuleBroken):
                add_log(user, habit, day, 30)
        else:
            add_log(user, habit, day, 30)  # a log may stay on an archived habit
            assert habit.archived is True
            db.session.commit()
        db.session.rollback()
    with app.app_context():
        logs = db.session.scalar(select(func.count()).select_from(HabitLog))
    assert logs == (1 if meanwhile == "archived" else 0)


def test_a_log_with_nothing_changed_since_the_request_read_reads_its_habit_once(
    app, make_user, database_url
):
    """The version moved from the one the request read with its user: nothing changed since, so
    the habit is not read a second time (where the database returns the version it moved from:
    PostgreSQL and SQLite; MariaDB cannot, and reads it again)."""
    backend = make_url(database_url).get_backend_name()
    alice = make_user("alice")
    with app.app_context():
        create_habit(db.session.get(User, alice.id), "Piano")
        db.session.commit()
    token = session_token(app, alice.id)
    with app.test_request_context():
        user = load_session_user(token)
        (habit,) = db.session.scalars(habits_of(user, active=True)).all()
        statements, record = habit_selects(app)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            add_log(user, habit, user_today(user), 30)
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == (1 if backend in ("mysql", "mariadb") else 0), statements


def waits_for_a_lock(admin, backend) -> bool:
    """Whether some connection to the test database is waiting for a row lock."""
    with admin.connect() as connection:
        if backend == "postgresql":
            query = (
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        else:
            query = (
                "SELECT count(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'"
            )
        return connection.execute(text(query)).scalar() > 0


def log_while_another_fills_the_day(app, make_user, admin, backend, other, log, read_habit):
    """A request reads its user (and its habit, with `read_habit`), then logs 1000 minutes on a
    day (`log(user, habit_id, day)`) while another write holds the account's lock with `other`
    minutes logged that day: the request's log waits for the lock until the other commits. The
    day as committed decides (checked here); returns the writes the request's thread ran."""
    alice, habit_id, day = alice_with_piano(app, make_user)
    token = session_token(app, alice.id)
    read, go = threading.Event(), threading.Event()
    outcome, writes = [], []

    def record(conn, cursor, statement, *_):
        found = re.match(r"WITH moved|UPDATE user_account|INSERT INTO habit_log", statement)
        if found and threading.get_ident() == thread.ident:
            writes.append(found.group(0))

    def request():
        with app.test_request_context():
            try:
                user = load_session_user(token)
                if read_habit:
                    db.session.get(Habit, habit_id)
                read.set()
                go.wait(timeout=60)
                log(user, habit_id, day)
                db.session.commit()
                outcome.append("logged")
            except RuleBroken as error:
                outcome.append(error.message)
            except Exception as error:  # reported by the test, not lost in the thread
                outcome.append(repr(error))
            finally:
                db.session.rollback()
                db.session.remove()

    thread = threading.Thread(target=request)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    thread.start()
    try:
        assert read.wait(timeout=60)
        with app.app_context():  # the other write, holding the lock until the request waits
            add_log(db.session.get(User, alice.id), db.session.get(Habit, habit_id), day, other)
            go.set()
            deadline = time.monotonic() + 30
            while not waits_for_a_lock(admin, backend):
                assert time.monotonic() < deadline, "the request never waited for the lock"
                time.sleep(0.02)
            db.session.commit()
            db.session.remove()
    finally:
        go.set()
        thread.join(timeout=60)
        event.remove(engine, "before_cursor_execute", record)
    if other == 1000:
        assert outcome == [f"A day has 24h: 7h 20m left to log on {readable_date(day)}."]
    else:
        assert outcome == ["logged"]
    with app.app_context():
        total = db.session.scalar(select(func.sum(HabitLog.minutes)).where(HabitLog.date == day))
    assert total == (1000 if other == 1000 else 1300)
    return writes


@pytest.mark.parametrize("other", [1000, 300])
def test_a_log_that_waits_for_the_lock_counts_what_committed_meanwhile(
    app, make_user, admin, backend, other
):
    """A request reads its user and habit; another write takes the account's lock and logs
    minutes on a day; the request's log of 1000 minutes that day waits for the lock, and the
    other commits. The day as committed decides: with 1000 minutes there it has no room and the
    log is refused; with 300 it is written. (PostgreSQL's one-statement log reads the day
    before it waits; it must find the account changed and count the day again under the
    lock.)"""

    def log(user, habit_id, day):
        add_log(user, db.session.get(Habit, habit_id), day, 1000)  # as read before

    writes = log_while_another_fills_the_day(app, make_user, admin, backend, other, log, True)
    if backend == "postgresql":
        # The one statement found the account changed while it waited, and ran again under
        # the lock: no other way of writing the log.
        assert writes == ["WITH moved", "WITH moved"], writes


@pytest.mark.parametrize("other", [1000, 300])
@pytest.mark.parametrize("read_habit", [False, True], ids=["alone", "in-a-transaction"])
def test_the_log_forms_log_takes_the_lock_before_its_statement_reads(
    app, make_user, admin, backend, other, read_habit
):
    """The log form's write (add_log_unread with `commit`), in the same race: on PostgreSQL the
    lock and the statement go in one round trip and the statement begins once the lock is held,
    so it reads the day as committed, with no second try. So when they are a transaction of
    their own (the user read ahead of it, as a request does) and when they end one that a read
    of the habit began (with COMMIT). Refused, it leaves the usual way, in the next
    transaction, to say why."""

    def log(user, habit_id, day):
        if add_log_unread(user, habit_id, day, 1000, commit=True) is None:
            add_log(user, db.session.get(Habit, habit_id), day, 1000)

    writes = log_while_another_fills_the_day(app, make_user, admin, backend, other, log, read_habit)
    if backend == "postgresql":
        # Written: one statement. Refused: the round trip's, then the usual way's.
        assert writes == ["WITH moved"] * (2 if other == 1000 else 1), writes
