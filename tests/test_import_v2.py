"""Version-2 imports: kinds, checks, skipped days and breaks keep the web's rules and messages,
a bad file writes nothing, and what is already there is not added twice."""

import html
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from httracker.changes import RuleBroken
from httracker.extensions import db
from httracker.habits import days
from httracker.habits.services import create_habit
from httracker.habits.targets import Target
from httracker.models import User
from httracker.portability import CSV_COLUMNS

from .test_export_v2 import everything
from .test_import import upload

DAY = date(2024, 1, 1)
TODAY = datetime.now(UTC).date()
CHECK = {"name": "Meds", "kind": "check"}


def document(habits: list[dict], breaks: list | None = None) -> bytes:
    body = {"format": "httracker-export", "version": 2, "habits": habits}
    if breaks is not None:
        body["breaks"] = breaks
    return json.dumps(body).encode()


def csv_file(*rows: dict) -> bytes:
    """A version-2 CSV file; each row gives the cells it fills."""
    lines = [",".join(CSV_COLUMNS)]
    lines += [",".join(row.get(column, "") for column in CSV_COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def refused(client, app, data: bytes, filename: str) -> str:
    """Upload a file that must be refused, changing nothing; the page shown."""
    before = everything(app)
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert everything(app) == before
    return html.unescape(response.get_data(as_text=True))


def imported(client, data: bytes, filename: str) -> str:
    """Upload a file that must be imported; the summary shown."""
    response = upload(client, data, filename)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    page = html.unescape(client.get("/settings/").get_data(as_text=True))
    return page[page.index("Imported") :].split("<")[0]


def service_message(app, user, call) -> str:
    """The message a service (the web's way in) gives for a broken rule."""
    with app.app_context():
        owner = db.session.get(User, user.id)
        with pytest.raises(RuleBroken) as raised:
            call(owner)
        db.session.rollback()
    return raised.value.message


def a_time_habit(owner):
    return create_habit(owner, "Reading probe")


@pytest.mark.parametrize(
    ("call", "habit", "where", "row"),
    [
        (
            lambda owner: days.check_day(owner, a_time_habit(owner), DAY),
            {"name": "Reading probe", "checks": [{"date": "2024-01-01", "note": None}]},
            "habits[0].checks[0].date",
            {"date": "2024-01-01", "habit": "Reading probe", "entry": "check"},
        ),
        (
            lambda owner: days.skip_day(owner, a_time_habit(owner), date(1999, 12, 31)),
            {"name": "R", "skips": [{"date": "1999-12-31", "note": None}]},
            "habits[0].skips[0].date",
            {"date": "1999-12-31", "habit": "R", "entry": "skip"},
        ),
        (
            lambda owner: days.skip_day(owner, a_time_habit(owner), TODAY + timedelta(days=400)),
            {"name": "R", "skips": [{"date": str(TODAY + timedelta(days=400)), "note": None}]},
            "habits[0].skips[0].date",
            {"date": str(TODAY + timedelta(days=400)), "habit": "R", "entry": "skip"},
        ),
        (
            lambda owner: days.check_day(
                owner, create_habit(owner, "M", target=Target(kind="check")), TODAY + timedelta(3)
            ),
            {**CHECK, "checks": [{"date": str(TODAY + timedelta(days=3)), "note": None}]},
            "habits[0].checks[0].date",
            {"date": str(TODAY + timedelta(days=3)), "habit": "Meds", "kind": "check"}
            | {"entry": "check"},
        ),
        (
            lambda owner: create_habit(owner, "K", target=Target(kind="daily")),
            {"name": "K", "kind": "daily"},
            "habits[0].kind",
            {"habit": "K", "kind": "daily", "entry": "habit"},
        ),
        (
            lambda owner: create_habit(owner, "K", target=Target(None, "day", direction="at_most")),
            {"name": "K", "target_direction": "at_most"},
            "habits[0].target_minutes",
            {"habit": "K", "target_direction": "at_most", "entry": "habit"},
        ),
        (
            lambda owner: create_habit(owner, "K", target=Target(None, "week", "check", times=9)),
            {"name": "K", "kind": "check", "target_period": "week", "target_times": 9},
            "habits[0].target_times",
            {"habit": "K", "kind": "check", "target_period": "week", "target_times": "9"},
        ),
    ],
    ids=[
        "check-time-habit",
        "skip-1999",
        "skip-400-days-ahead",
        "check-future",
        "kind",
        "limit",
        "times",
    ],
)
def test_a_bad_entry_gets_the_web_message_and_writes_nothing(
    app, client, user, call, habit, where, row
):
    message = service_message(app, user, call)
    page = refused(client, app, document([habit]), "data.json")
    assert f"{where}: {message}" in page
    column = where.rsplit(".", 1)[1].replace("name", "habit")
    assert f"Line 2, {column}: {message}" in refused(client, app, csv_file(row), "data.csv")


@pytest.mark.parametrize(
    ("start", "end", "habits", "field"),
    [
        (DAY, DAY + timedelta(days=399), None, "end"),
        (DAY + timedelta(days=5), DAY, None, "end"),
        (date(1999, 12, 30), DAY, None, "start"),
        (DAY, DAY, [], "habits"),
    ],
    ids=["400-days", "ends-before-start", "1999", "no-habits"],
)
def test_a_bad_break_gets_the_web_message_and_writes_nothing(
    app, client, user, start, end, habits, field
):
    message = service_message(app, user, lambda owner: days.add_break(owner, start, end, habits))
    breaks = [{"start": str(start), "end": str(end), "habits": habits, "note": "trip"}]
    page = refused(client, app, document([{"name": "Reading"}], breaks), "data.json")
    assert f"breaks[0].{field}: {message}" in page
    if habits is None:
        row = {"date": str(start), "end": str(end), "entry": "break", "note": "trip"}
        page = refused(client, app, csv_file({"habit": "Reading"}, row), "data.csv")
        assert f"Line 3, {'date' if field == 'start' else field}: {message}" in page


@pytest.mark.parametrize(
    ("habits", "breaks", "messages"),
    [
        ([{"name": "R", "checks": {}}], None, ["habits[0].checks: must be a list."]),
        ([{"name": "R", "skips": ["2024-01-01"]}], None, ["habits[0].skips[0]: each of skips"]),
        (
            [{**CHECK, "checks": [{"date": "2024-02-30"}]}],
            None,
            ["habits[0].checks[0].date: '2024-02-30' is not a date on the calendar."],
        ),
        ([{"name": "R", "kind": 5}], None, ["habits[0].kind: must be text or null, not 5."]),
        (
            [{"name": "R", "target_times": "3"}],
            None,
            ["habits[0].target_times: must be a whole number or null, not '3'."],
        ),
        ([{"name": "R"}], {"start": "2024-01-01"}, ["breaks: must be a list."]),
        ([{"name": "R"}], ["2024-01-01"], ["breaks[0]: each break must be an object"]),
        (
            [{"name": "R"}],
            [{"start": "2024-01-01", "end": "2024-01-02", "habits": "R"}],
            ["breaks[0].habits: must be a list of habit names, or null for every habit."],
        ),
        (
            [{"name": "R"}],
            [{"start": "2024-01-01", "end": "2024-01-02"}],
            ["breaks[0].habits: must be a list of habit names"],
        ),
        (
            [{"name": "R"}],
            [{"start": "2024-01-01", "end": "2024-01-02", "habits": ["R", 5]}],
            ["breaks[0].habits[1]: must be the name of a habit, not 5."],
        ),
        (
            [{"name": "R"}],
            [{"start": "2024-1-1", "end": "2024-01-02", "habits": None}],
            ["breaks[0].start: '2024-1-1' is not a date; use YYYY-MM-DD."],
        ),
        (
            [{"name": "R"}],
            [{"start": "2024-01-01", "end": "2024-01-02", "habits": ["r", "Nope"]}],
            ["breaks[0].habits[1]: no habit named 'Nope' in this file or your account."],
        ),
        (
            [{**CHECK, "logs": [{"date": "2024-01-01", "minutes": 5}]}],
            None,
            ["habits[0].logs[0].minutes: Meds is checked off, not timed: check it instead."],
        ),
    ],
)
def test_bad_version_2_json_is_named_by_its_path(app, client, user, habits, breaks, messages):
    page = refused(client, app, document(habits, breaks), "data.json")
    for message in messages:
        assert message in page


BREAK = {"date": "2024-01-01", "end": "2024-01-03", "entry": "break"}


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            [{"date": "2024-01-01", "habit": "R", "entry": "done"}],
            [
                "Line 2, entry: must be habit, log, check, skip or break (or empty for a log), "
                "not 'done'."
            ],
        ),
        (
            [
                {
                    "date": "2024-01-01",
                    "habit": "M",
                    "kind": "check",
                    "minutes": "5",
                    "entry": "check",
                }
            ],
            ["Line 2, minutes: a check has no minutes; leave it empty."],
        ),
        (
            [{"date": "2024-01-01", "habit": "R", "minutes": "5", "entry": "habit"}],
            ["Line 2, date: a row that describes a habit leaves it empty."],
        ),
        (
            [{"date": "2024-01-01", "habit": "R", "minutes": "5", "end": "2024-01-02"}],
            ["Line 2, end: only a break row has it; leave it empty."],
        ),
        ([{"habit": "R"}, {**BREAK, "category": "x"}], ["Line 3, category: a break row leaves"]),
        ([{"habit": "R"}, {**BREAK, "end": ""}], ["Line 3, end: '' is not a date"]),
        (
            [{"habit": "R"}, {**BREAK, "habit": "Nope"}],
            ["Line 3, habit: no habit named 'Nope' in this file or your account."],
        ),
        (
            [
                {"habit": "R"},
                {"habit": "S"},
                {**BREAK, "habit": "R", "break": "1"},
                {**BREAK, "habit": "S", "break": "1", "note": "other"},
            ],
            ["Line 5, break: break '1' has other dates or another note on Line 4."],
        ),
        (
            [{"habit": "R"}, {**BREAK, "break": "1"}, {**BREAK, "habit": "R", "break": "1"}],
            ["Line 4, break: break '1' is also on Line 3; a break for every habit is one row"],
        ),
        (
            [
                {"date": "2024-01-01", "habit": "R", "entry": "check"},
                {"date": "1999-01-01", "habit": "R", "entry": "skip"},
                {**BREAK, "end": "2025-01-01"},
            ],
            [
                "Line 2, date: R counts minutes",
                "Line 3, date: Dates start on 2000-01-01.",
                "Line 4, end: A break lasts at most a year (366 days).",
            ],
        ),
    ],
)
def test_bad_version_2_csv_is_named_by_its_line(app, client, user, rows, messages):
    page = refused(client, app, csv_file(*rows), "data.csv")
    for message in messages:
        assert message in page
