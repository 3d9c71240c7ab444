"""Fixtures: one database per test run, built by the migrations; every test starts empty."""

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from httracker import create_app
from httracker.auth.services import create_user
from httracker.extensions import db
from httracker.habits.targets import Target

PASSWORD = "correct horse battery"


def recreate_database(url: str) -> None:
    """Drop and create the test database named in `url` (PostgreSQL and MySQL)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    name = parsed.database
    if backend == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    elif backend in ("mysql", "mariadb"):
        admin = create_engine(parsed._replace(database=None))
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            )
    else:
        return
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    recreate_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's fixture of this name: it keeps a request (and app) context open
    during the test, which every client request would then share — one SQLAlchemy session and
    one `g` (Flask-Login's cached user) across requests. Each request here gets its own."""
    yield


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test starts with empty tables."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture
def make_user(app):
    """Create a user and return it (detached, attributes loaded)."""

    def make(username="alice", email=None, password=PASSWORD, **fields):
        with app.app_context():
            user = create_user(username, email or f"{username.lower()}@example.com", password)
            for name, value in fields.items():
                setattr(user, name, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, login="alice", password=PASSWORD, **extra):
        data = {"login": login, "password": password, **extra}
        return self.client.post("/auth/login", data=data)

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(make_user, auth):
    """A logged-in user, alice."""
    alice = make_user("alice")
    auth.login()
    return alice


@pytest.fixture
def runner(app):
    """Invoke the app's `flask` commands in-process."""
    return app.test_cli_runner()


@pytest.fixture
def make_habit(app):
    """Create a habit (with optional logs as (date, minutes, note) tuples) for a user id."""
    from httracker.habits.services import add_log, create_habit
    from httracker.models import User

    def make(
        user_id,
        name="Reading",
        category="",
        target_minutes=None,
        target_period="day",
        archived=False,
        logs=(),
        kinds=None,
    ):
        with app.app_context():
            owner = db.session.get(User, user_id)
            target = Target(target_minutes, target_period, **(kinds or {}))
            habit = create_habit(owner, name, category, target)
            habit.archived = archived
            for day, minutes, note in logs:
                add_log(owner, habit, day, minutes, note)
            db.session.commit()
            return habit.id

    return make


@pytest.fixture
def make_log(app):
    """Create a log for a user id and habit id, bypassing validation; returns the log id."""
    from httracker.models import HabitLog

    def make(user_id, habit_id, day, minutes=30, note=None):
        with app.app_context():
            log = HabitLog(user_id=user_id, habit_id=habit_id, date=day, minutes=minutes, note=note)
            db.session.add(log)
            db.session.commit()
            return log.id

    return make


class QueryCounter:
    """Counts the SQL statements sent to the database while it is active."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """A context manager counting the statements run inside it: `with count_queries() as q:`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def no_page_cache(app, monkeypatch):
    """Every page rendered afresh, for tests that count what rendering a page costs (the kept
    pages of pagecache.py are tested in test_page_cache.py)."""
    from httracker.pagecache import EXTENSION

    monkeypatch.setitem(app.extensions, EXTENSION, None)


@pytest.fixture
def pin_today(monkeypatch):
    """Make `day` today for every analytics number: `pin_today(date(2024, 3, 5))`."""
    from httracker.analytics import report

    def pin(day):
        monkeypatch.setattr(report, "today_for", lambda user: day)

    return pin


@pytest.fixture
def pin_now(monkeypatch):
    """Make `instant` (an aware datetime) the current moment for analytics: each user's today
    is then that instant's date in their own time zone."""
    from httracker.analytics import report
    from httracker.timeutil import today_in

    def pin(instant):
        monkeypatch.setattr(report, "today_for", lambda user: today_in(user.timezone, instant))

    return pin


SITE_URL = "https://habits.example.org"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole run."""
    from .smtp import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_on(app, smtp_server, monkeypatch):
    """The app sends mail, to the test SMTP server, with links on SITE_URL; returns the server
    (emptied). Without this fixture the app runs as a site without mail."""
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_TIMEOUT": 5,
        "SITE_URL": SITE_URL,
        "MAIL_DEFAULT_SENDER": "HT-Tracker <noreply@habits.example.org>",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    if smtp_server.controller is None:
        smtp_server.start()  # a test that stopped it failed before starting it again
    smtp_server.clear()
    return smtp_server


class Clock:
    """The moment mail and its links see; `advance(hours=1)` moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, now):
        self.now = now

    def advance(self, **delta):
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Pin `httracker.mail.clock.now` (tokens, delivery, reminders) to a moment tests move."""
    from datetime import UTC, datetime

    from httracker.mail import clock as mail_clock

    pinned = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(mail_clock, "now", pinned)
    return pinned


@pytest.fixture
def make_token(app):
    """Create an API token for a user id and return its secret: `make_token(alice.id)`."""
    from httracker.auth.tokens import create_token
    from httracker.models import User

    def make(user_id, scope="write", name="script", expires_in_days=None):
        with app.app_context():
            made = create_token(db.session.get(User, user_id), name, scope, expires_in_days)
            db.session.commit()
            return made.secret

    return make


class ApiClient:
    """The test client with a bearer token on every request: `api.get("/api/v1/me")`."""

    def __init__(self, client, secret: str):
        self.client = client
        self.secret = secret

    def open(self, method, url, *, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.secret}", **(headers or {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.open("POST", url, **kwargs)

    def patch(self, url, **kwargs):
        return self.open("PATCH", url, **kwargs)

    def delete(self, url, **kwargs):
        return self.open("DELETE", url, **kwargs)


@pytest.fixture
def api(client, make_user, make_token):
    """Alice with a write token, as an ApiClient over the test's `client` (one client, so the
    context pytest-flask's client keeps after a request is never shared with another's)."""
    alice = make_user("alice")
    api_client = ApiClient(client, make_token(alice.id))
    api_client.user = alice
    return api_client
