"""The caps on imports: entries per file, one running import per account, imports per hour."""

import html
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from httracker import create_app
from httracker.extensions import db, limiter
from httracker.models import Habit, HabitLog, ImportPreview
from httracker.portability import IMPORT_RUNNING, import_slot

from .conftest import PASSWORD
from .test_import import log_count, upload

FIRST = date(2024, 1, 1)
CSV_TOO_MANY = "The file has more than 3 entries; split it into parts of at most 3."


def csv_file(rows: int) -> bytes:
    lines = [f"{FIRST + timedelta(days=n)},Reading,,10," for n in range(rows)]
    return ("date,habit,category,minutes,note\n" + "\n".join(lines) + "\n").encode()


def json_file(logs: int, checks: int = 0) -> bytes:
    habits = [
        {
            "name": "Reading",
            "logs": [{"date": str(FIRST + timedelta(days=n)), "minutes": 10} for n in range(logs)],
        },
        {
            "name": "Walk",
            "kind": "check",
            "checks": [{"date": str(FIRST + timedelta(days=n))} for n in range(checks)],
        },
    ]
    return json.dumps({"format": "httracker-export", "version": 2, "habits": habits}).encode()


def habit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Habit))


@pytest.fixture
def three_entries(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)


@pytest.mark.parametrize(
    ("data", "filename"),
    [(csv_file(4), "data.csv"), (json_file(4), "data.json"), (json_file(2, 2), "data.json")],
)
def test_a_file_over_the_entry_limit_is_refused_whole(
    app, client, user, three_entries, data, filename
):
    response = upload(client, data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{filename} was not imported; nothing changed." in page
    assert CSV_TOO_MANY in page
    assert log_count(app) == 0 and habit_count(app) == 0


@pytest.mark.parametrize(
    ("data", "filename"), [(csv_file(3), "data.csv"), (json_file(2, 1), "data.json")]
)
def test_a_file_at_the_entry_limit_is_imported(app, client, user, three_entries, data, filename):
    assert upload(client, data, filename).status_code == 302
    assert habit_count(app) >= 1


def test_the_cli_keeps_the_entry_limit(app, runner, make_user, three_entries, tmp_path):
    make_user("alice")
    path = tmp_path / "big.csv"
    path.write_bytes(csv_file(4))
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code != 0
    assert CSV_TOO_MANY in result.output
    assert log_count(app) == 0


def test_the_entry_limit_comes_from_the_environment():
    from config import ConfigError, load_config

    assert load_config({}, {"ENV": "testing"})["IMPORT_MAX_ROWS"] == 200_000
    assert load_config({"IMPORT_MAX_ROWS": "5000"}, {"ENV": "testing"})["IMPORT_MAX_ROWS"] == 5000
    with pytest.raises(ConfigError, match="IMPORT_MAX_ROWS must be a positive whole number"):
        load_config({"IMPORT_MAX_ROWS": "lots"}, {"ENV": "testing"})


class SlotHolder:
    """A thread that holds an account's import slot, as a running import does, until released."""

    def __init__(self, app):
        self.app = app
        self.holding, self.leave, self.failures = threading.Event(), threading.Event(), []
        self.thread: threading.Thread | None = None

    def _hold(self, user_id: int) -> None:
        try:
            with self.app.app_context(), import_slot(user_id):
                self.holding.set()
                self.leave.wait(timeout=60)
        except Exception as error:  # reported by the test, not lost in the thread
            self.failures.append(error)
            self.holding.set()

    def start(self, user_id: int) -> None:
        self.thread = threading.Thread(target=self._hold, args=(user_id,))
        self.thread.start()
        assert self.holding.wait(timeout=30) and not self.failures

    def release(self) -> None:
        self.leave.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
            assert not self.thread.is_alive() and not self.failures


@pytest.fixture
def slot_holder(app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one write transaction at a time: a second import waits")
    holder = SlotHolder(app)
    yield holder
    holder.release()


def logged_in(app, username: str):
    """A client of its own (the `client` fixture keeps its last context, and `g` with it)."""
    client = app.test_client()
    login = {"login": username, "password": PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 302
    return client


def test_a_second_import_while_one_runs_is_refused(app, make_user, slot_holder):
    alice, bob = make_user("alice"), make_user("bob")
    client = logged_in(app, "alice")
    slot_holder.start(alice.id)
    response = upload(client, csv_file(2))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "data.csv was not imported; nothing changed." in page
    assert "Another import into this account is still running" in page
    assert log_count(app) == 0
    # Another account imports meanwhile.
    assert upload(logged_in(app, "bob"), csv_file(2)).status_code == 302
    with app.app_context():
        assert set(db.session.scalars(select(HabitLog.user_id))) == {bob.id}
    # Once the running import ends, the account imports again.
    slot_holder.release()
    assert upload(client, csv_file(2)).status_code == 302
    assert log_count(app) == 4


def test_a_confirmation_while_an_import_runs_is_refused(app, make_user, slot_holder):
    """The preview's confirmation takes the account's lock as the upload does, and is refused
    the same way; the preview stays, to be confirmed once the running import ends."""
    alice = make_user("alice")
    client = logged_in(app, "alice")
    preview = upload(client, csv_file(2), confirm=False)
    assert preview.status_code == 302
    url = preview.headers["Location"]
    slot_holder.start(alice.id)
    response = client.post(f"{url}/confirm")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "data.csv was not imported; nothing changed." in page
    assert IMPORT_RUNNING in html.unescape(page)
    assert log_count(app) == 0 and habit_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportPreview)) == 1
    slot_holder.release()
    assert client.post(f"{url}/confirm").status_code == 302
    assert log_count(app) == 2


def test_the_cli_is_refused_too_while_an_import_runs(app, runner, user, slot_holder, tmp_path):
    slot_holder.start(user.id)
    path = tmp_path / "data.csv"
    path.write_bytes(csv_file(2))
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code != 0
    assert IMPORT_RUNNING in result.output
    assert log_count(app) == 0


@pytest.fixture
def limited_app(database_url, app):
    """The app with the import limit on, two an hour; the limiter is shared, so reset after."""
    limited = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "IMPORT_RATE_LIMIT_ENABLED": True,
            "IMPORT_RATE_LIMIT": "2/hour",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()
    limiter.reset()


def test_imports_per_account_per_hour_are_limited(limited_app, make_user):
    make_user("alice")
    make_user("bob")
    clients = {name: logged_in(limited_app, name) for name in ("alice", "bob")}
    for days in (1, 2):
        assert upload(clients["alice"], csv_file(days)).status_code == 302
    response = upload(clients["alice"], csv_file(3))
    assert response.status_code == 429
    assert "You have imported many files this hour" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert log_count(limited_app) == 2
    # Counted per account, not per address: bob, from the same address, still imports.
    assert upload(clients["bob"], csv_file(1)).status_code == 302
