"""Imports keep the habits' own rules: the web form's message for the same bad input."""

import html
import json
import re
from datetime import date

import pytest

from .test_import import HEADER, rejected

DAY = date(2024, 1, 1)


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
    assert DAY.isoformat() in message
    page = rejected(client, app, (HEADER + f"{DAY},Reading,,500,\n").encode())
    assert f"Line 2, minutes: {message}" in page
    page = rejected(
        client,
        app,
        json_file({"name": "Piano", "logs": [{"date": "2024-01-01", "minutes": 500}]}),
        "data.json",
    )
    assert f"habits[0].logs[0].minutes: {message}" in page
