"""CSV and JSON exports: the formats, formula neutralisation, and who can download what."""

import csv
import io
import json
from datetime import date

import pytest

from httracker.extensions import db
from httracker.models import User
from httracker.portability import export_csv, neutralise, unneutralise

TRICKY_NOTES = ["=1+1", "'=1+1", "''x", "@x", "+1", "-2", 'a, "quoted"\nsecond line']


@pytest.fixture
def alice_data(user, make_habit):
    make_habit(
        user.id,
        "Reading",
        "Learning",
        30,
        logs=[(date(2024, 1, 2), 30, TRICKY_NOTES[6]), (date(2024, 1, 1), 15, None)],
    )
    make_habit(user.id, "=cmd", "@home", 150, "week", logs=[(date(2024, 1, 1), 45, "=1+1")])
    make_habit(user.id, "Archived", archived=True)
    return user


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("text", "cell"),
    [("=1+1", "'=1+1"), ("'=1+1", "''=1+1"), ("''x", "'''x"), ("@x", "'@x"), ("plain", "plain")],
)
def test_neutralise_and_back(text, cell):
    assert neutralise(text) == cell
    assert unneutralise(cell) == text


def test_csv_download(client, alice_data, make_user, make_habit):
    bob = make_user("bob")
    make_habit(bob.id, "Secret habit", logs=[(date(2024, 1, 1), 99, "bob's note")])
    response = client.get("/settings/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="httracker-alice-'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("date,habit,category,minutes,note,")
    assert "\r\n" in text and "Secret habit" not in text and "bob's note" not in text
    rows = csv_rows(text)
    # The habit without logs comes first; logs by date, then habit name.
    assert [(row["date"], row["habit"], row["minutes"]) for row in rows] == [
        ("", "Archived", ""),
        ("2024-01-01", "'=cmd", "45"),
        ("2024-01-01", "Reading", "15"),
        ("2024-01-02", "Reading", "30"),
    ]
    assert rows[1]["category"] == "'@home" and rows[1]["note"] == "'=1+1"
    assert rows[1]["target_minutes"] == "150" and rows[1]["target_period"] == "week"
    assert rows[0]["archived"] == "true" and rows[2]["archived"] == "false"
    assert rows[3]["note"] == TRICKY_NOTES[6]  # commas, quotes and newlines survive quoting


def test_csv_neutralises_every_formula_start(app, user, make_habit):
    make_habit(
        user.id,
        logs=[(date(2024, 1, day), 10, note) for day, note in enumerate(TRICKY_NOTES[:6], 1)],
    )
    with app.app_context():
        rows = csv_rows(export_csv(db.session.get(User, user.id)))
    assert [row["note"] for row in rows] == ["'=1+1", "''=1+1", "'''x", "'@x", "'+1", "'-2"]
    assert all(not row["note"].startswith(("=", "+", "-", "@")) for row in rows)


def test_json_download(client, alice_data):
    response = client.get("/settings/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert document["format"] == "httracker-export" and document["version"] == 2
    assert document["exported_at"]
    names = [habit["name"] for habit in document["habits"]]
    assert names == ["=cmd", "Archived", "Reading"]
    reading = document["habits"][2]
    assert set(reading) == {
        "name",
        "category",
        "kind",
        "target_minutes",
        "target_period",
        "target_direction",
        "target_times",
        "archived",
        "logs",
        "checks",
        "skips",
    }
    assert (reading["kind"], reading["target_direction"], reading["target_times"]) == (
        "time",
        "at_least",
        None,
    )
    assert reading["checks"] == [] and reading["skips"] == [] and document["breaks"] == []
    assert reading["category"] == "Learning" and reading["target_minutes"] == 30
    assert reading["logs"] == [
        {"date": "2024-01-01", "minutes": 15, "note": None},
        {"date": "2024-01-02", "minutes": 30, "note": TRICKY_NOTES[6]},
    ]
    assert document["habits"][0]["logs"][0]["note"] == "=1+1"  # JSON is raw
    assert document["habits"][1]["archived"] is True


@pytest.mark.parametrize("path", ["/settings/export.csv", "/settings/export.json"])
def test_export_needs_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_export_command_to_stdout_and_file(runner, alice_data, tmp_path):
    result = runner.invoke(args=["export", "alice"])
    assert result.exit_code == 0
    assert result.output.startswith("date,habit,category,minutes,note")
    target = tmp_path / "alice.json"
    result = runner.invoke(args=["export", "alice", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "httracker-export"
    result = runner.invoke(args=["export", "alice", "--format", "json"])
    assert json.loads(result.output)["version"] == 2


def test_export_command_needs_a_known_format(runner, alice_data, tmp_path):
    result = runner.invoke(args=["export", "alice", "-o", str(tmp_path / "alice.xlsx")])
    assert result.exit_code != 0 and "--format" in result.output
    assert not (tmp_path / "alice.xlsx").exists()
