"""Imports keep the habits' own rules: the web form's message for the same bad input, and an
ordinary rejection (nothing written) when the account changes while a file is imported."""

import html
import json
import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from httracker.changes import RuleBroken
from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.habits import services
from httracker.habits.targets import Target
from httracker.models import Habit, User
from httracker.portability import importing, sources

from .test_import import HEADER, log_count, rejected, upload

DAY = date(2024, 1, 1)
DUPLICATE = "You already have a habit with that name."


def field_error(page: str, field: str) -> str:
    """The message a form shows under one field."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.DOTALL)
    assert match, f"no error shown for {field}"
    return html.unescape(match.group(1))


def json_file(habit: dict) -> bytes:
    return json.dumps({"format": "httracker-export", "version": 1, "habits": [habit]}).encode()


def log_form(client, habit_id, minutes="30", note=""):
    data = {"habit_id": habit_id, "date": DAY.isoformat(), "minutes": minutes, "note": note}
    return client.post("/logs/new", data=data).get_data(as_text=True)


@pytest.fixture
def reading(user, make_habit):
    return make_habit(user.id, "Reading")


@pytest.mark.parametrize(
    ("name", "minutes", "note", "field", "column"),
    [
        ("x" * 81, 30, "", "name", "habit"),
        ("Read\ting", 30, "", "name", "habit"),
        ("Reading", 1441, "", "minutes", "minutes"),
        ("Reading", 30, "n" * 501, "note", "note"),
    ],
)
def test_web_form_and_import_give_the_same_message(
    app, client, runner, tmp_path, reading, name, minutes, note, field, column
):
    if field == "name":
        web = client.post("/habits/new", data={"name": name, "target_period": "day"})
        message = field_error(web.get_data(as_text=True), "name")
    else:
        message = field_error(log_form(client, reading, str(minutes), note), field)
    row = f"{DAY},{name},,{minutes},{note}\n"
    assert f"Line 2, {column}: {message}" in rejected(client, app, (HEADER + row).encode())
    log = {"date": DAY.isoformat(), "minutes": minutes, "note": note}
    document = json_file({"name": name, "logs": [log]})
    where = "habits[0]" if field == "name" else "habits[0].logs[0]"
    page = rejected(client, app, document, "data.json")
    assert f"{where}.{field}: {message}" in page
    path = tmp_path / "data.json"
    path.write_bytes(document)
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 1
    assert f"{where}.{field}: {message}" in result.output


def test_the_24h_day_gives_the_same_message_on_the_web_and_in_an_import(
    app, client, user, make_habit
):
    make_habit(user.id, "Running", logs=[(DAY, 1000, None)])
    reading = make_habit(user.id, "Reading")
    message = field_error(log_form(client, reading, "500"), "minutes")
    assert readable_date(DAY) in message
    page = rejected(client, app, (HEADER + f"{DAY},Reading,,500,\n").encode())
    assert f"Line 2, minutes: {message}" in page
    page = rejected(
        client,
        app,
        json_file({"name": "Piano", "logs": [{"date": "2024-01-01", "minutes": 500}]}),
        "data.json",
    )
    assert f"habits[0].logs[0].minutes: {message}" in page


def import_while(app, client, monkeypatch, data: bytes, change, moment="write_import"):
    """Upload `data` while `change(user)` runs in its own transaction on another thread, let go
    at `moment`: "parse" (before the file is checked) or "write_import" (after it is checked,
    before anything is written). The change may finish at once or wait for the import's lock;
    the import waits up to a second for it. Returns the response and the change's outcome:
    whether it committed before the import went on ("first") and how it ended ("change":
    'committed' or the message of the rule it broke)."""
    outcome: dict[str, str] = {}

    def run():
        with app.app_context():
            owner = db.session.scalar(select(User).where(User.username == "alice"))
            try:
                change(owner)
                db.session.commit()
                outcome["change"] = "committed"
            except RuleBroken as error:
                db.session.rollback()
                outcome["change"] = error.message

    thread = threading.Thread(target=run)
    # The upload reads the file for its preview and the confirmation reads it again: the
    # change starts at the first of these moments.
    module = sources if moment == "parse" else importing
    step = getattr(module, moment)

    def step_after_the_change(*args):
        if "first" not in outcome:
            thread.start()
            thread.join(timeout=1)
            outcome["first"] = "change" if "change" in outcome else "import"
        return step(*args)

    monkeypatch.setattr(module, moment, step_after_the_change)
    response = upload(client, data, "data.json")
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "change" in outcome, "the change failed with an error that is not a broken rule"
    return response, outcome


def reading_in_file() -> bytes:
    return json_file({"name": "Reading", "logs": [{"date": "2024-01-01", "minutes": 30}]})


def habit_names(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Habit.name)))


@pytest.mark.parametrize("moment", ["parse", "write_import"])
def test_a_habit_created_during_an_import_is_reused_or_an_ordinary_rejection(
    app, client, user, monkeypatch, moment
):
    def create(owner):
        services.create_habit(owner, "Reading")

    response, outcome = import_while(app, client, monkeypatch, reading_in_file(), create, moment)
    assert habit_names(app) == ["Reading"]
    page = html.unescape(response.get_data(as_text=True))
    if response.status_code == 400:
        # The web's habit came first, unseen by the check: the file is refused whole.
        assert outcome == {"first": "change", "change": "committed"}
        assert f"habits[0].name: {DUPLICATE}" in page
        assert "import it again" in page
        assert log_count(app) == 0
    else:
        # The import saw the web's habit and added to it, or came first (the web's create
        # waited for it) and the web got its message.
        assert response.status_code == 302
        expected = "committed" if outcome["first"] == "change" else DUPLICATE
        assert outcome["change"] == expected
        assert log_count(app) == 1


def test_a_habit_renamed_during_an_import_is_an_ordinary_rejection(
    app, client, user, make_habit, monkeypatch
):
    old = make_habit(user.id, "Old")

    def rename(owner):
        services.update_habit(owner, db.session.get(Habit, old), "READING", "", Target())

    response, outcome = import_while(app, client, monkeypatch, reading_in_file(), rename)
    if response.status_code == 400:
        assert outcome["change"] == "committed"
        page = html.unescape(response.get_data(as_text=True))
        assert f"habits[0].name: {DUPLICATE}" in page
        assert habit_names(app) == ["READING"] and log_count(app) == 0
    else:
        # The rename waited for the import (MariaDB checks the foreign key of the changed
        # unique index) and then broke the rule.
        assert response.status_code == 302
        assert outcome == {"first": "import", "change": DUPLICATE}
        assert habit_names(app) == ["Old", "Reading"] and log_count(app) == 1


def test_a_habit_deleted_during_an_import_is_an_ordinary_rejection(
    app, client, user, make_habit, monkeypatch
):
    reading = make_habit(user.id, "Reading")

    def delete(owner):
        services.delete_habit(db.session.get(Habit, reading))

    response, outcome = import_while(app, client, monkeypatch, reading_in_file(), delete)
    assert outcome["change"] == "committed"
    assert habit_names(app) == [] and log_count(app) == 0
    if outcome["first"] == "change":
        assert response.status_code == 400
        assert importing.CHANGED_MEANWHILE in html.unescape(response.get_data(as_text=True))
    else:
        assert response.status_code == 302
