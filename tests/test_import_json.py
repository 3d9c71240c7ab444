"""JSON imports: a syntax error named by its line and column, every other problem by its JSON
path (`habits[1].logs[2].minutes`, counted from 0); hostile documents are clean rejections."""

import json

import pytest

from .test_import import log_count, rejected

LOG = {"date": "2024-01-01", "minutes": 5, "note": None}


@pytest.mark.parametrize(
    ("document", "messages"),
    [
        (
            '{"format": "httracker-export", "version": 1,\n "habits": [}',
            ["Line 2, column 13: not valid JSON (Expecting value)."],
        ),
        ('{"format": "other", "version": 1, "habits": []}', ["Not an HT-Tracker export"]),
        (
            '{"format": "httracker-export", "version": 3, "habits": []}',
            ["Unsupported export version 3; use 1 or 2."],
        ),
        ('{"format": "httracker-export", "version": true, "habits": []}', ["version True"]),
        ({"habits": {"name": "R"}}, ["habits: must be a list."]),
        (
            {"habits": [{"name": "Reading", "logs": [{"date": "2024-01-01", "minutes": 0}]}]},
            ["habits[0].logs[0].minutes: Log between 1 minute and 24h."],
        ),
        (
            {"habits": [{"name": "R"}, {"name": "S", "logs": [LOG, LOG, {**LOG, "minutes": "5"}]}]},
            ["habits[1].logs[2].minutes: must be a whole number, not '5'."],
        ),
        (
            {"habits": [{"name": "Reading", "logs": [{"date": "2024-02-30", "minutes": 5}]}]},
            ["habits[0].logs[0].date: '2024-02-30' is not a date on the calendar."],
        ),
        (
            {"habits": [{"name": "R", "logs": [LOG, {**LOG, "date": 20240101}]}]},
            ["habits[0].logs[1].date: 20240101 is not a date; use YYYY-MM-DD."],
        ),
        (
            {"habits": [{"name": "R", "logs": [LOG, {**LOG, "note": "n" * 501}]}]},
            ["habits[0].logs[1].note: Use at most 500 characters."],
        ),
        (
            {"habits": [{"name": "R", "logs": [LOG, [LOG]]}]},
            ["habits[0].logs[1]: each log must be an object"],
        ),
        (
            {"habits": [{"name": "R", "target_minutes": 2000, "logs": []}]},
            ["habits[0].target_minutes: A daily target is 1 minute to 24h."],
        ),
        ({"habits": [{"name": "x" * 81}]}, ["habits[0].name: Use 1–80 characters."]),
        ({"habits": [{"name": "R"}, {"name": 5}]}, ["habits[1].name: each habit needs a text"]),
        ({"habits": [{"name": "R"}, "S"]}, ["habits[1]: each habit must be an object"]),
        (
            {"habits": [{"name": "R", "archived": "yes"}]},
            ["habits[0].archived: must be true or false, not 'yes'."],
        ),
        (
            {"habits": [{"name": "R"}, {"name": "r"}]},
            ["habits[1].name: 'r' is the name of habits[0] already."],
        ),
        ({"habits": [{"name": "R", "logs": {}}]}, ["habits[0].logs: must be a list."]),
    ],
)
def test_bad_json_is_rejected_whole(app, client, user, document, messages):
    if isinstance(document, dict):
        document = json.dumps({"format": "httracker-export", "version": 1, **document}, indent=2)
    page = rejected(client, app, document.encode(), "data.json")
    for message in messages:
        assert message in page


def test_every_bad_log_is_listed_by_its_path(app, client, user):
    logs = [{**LOG, "minutes": minutes} for minutes in (5, 0, 30, 2000, 1441)]
    document = {"format": "httracker-export", "version": 1, "habits": [{"name": "R", "logs": logs}]}
    page = rejected(client, app, json.dumps(document).encode(), "data.json")
    assert [f"habits[0].logs[{index}].minutes" in page for index in range(5)] == [
        False,
        True,
        False,
        True,
        True,
    ]
    assert log_count(app) == 0


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            '{"format": "httracker-export", "version": 1, "habits": [], "n": 1' + "9" * 5000 + "}",
            "too long",
        ),
        ("[" * 100_000, "too deep"),
        (
            '{"format": "httracker-export", "version": 1, "habits": [{"name": "R", "logs": '
            '[{"date": "2024-01-01", "minutes": 5, "note": "x\\ud800y"}]}]}',
            "habits[0].logs[0].note: the text holds a NUL or an invalid character.",
        ),
    ],
)
def test_hostile_json_is_rejected_not_a_500(app, client, user, runner, tmp_path, document, message):
    page = rejected(client, app, document.encode(), "data.json")
    assert message in page
    path = tmp_path / "hostile.json"
    path.write_text(document)
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert log_count(app) == 0
