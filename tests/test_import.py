"""Imports: exact round trips, no duplicates, and bad files rejected whole, each problem named by
its line (CSV) or JSON path."""

import html
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from httracker.extensions import db
from httracker.models import Habit, HabitLog, User

from .conftest import PASSWORD

NOTES = ["=1+1", "'=1+1", "''x", "@x", 'commas, "quotes"\nand lines', None]
HEADER = "date,habit,category,minutes,note\n"


def snapshot(app, username="alice"):
    """Everything an export should carry, independent of ids."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        habits = sorted(
            (h.name, h.category, h.target_minutes, h.target_period, h.archived)
            for h in db.session.scalars(select(Habit).where(Habit.user_id == user.id))
        )
        query = (
            select(Habit.name, HabitLog.date, HabitLog.minutes, HabitLog.note)
            .join(Habit, Habit.id == HabitLog.habit_id)
            .where(HabitLog.user_id == user.id)
        )
        logs = sorted((tuple(row) for row in db.session.execute(query)), key=repr)
        return habits, logs


def log_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HabitLog))


def upload(client, data: bytes, filename="data.csv", confirm=True):
    """Upload a file; a file that passes its checks is shown as a preview, which this confirms
    (the confirmation's response is returned) unless `confirm` is false."""
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename)})
    response = client.post(
        "/settings/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    if not confirm or response.status_code != 302:
        return response
    preview = response.headers["Location"]
    assert preview.startswith("/settings/import/"), preview
    return client.post(f"{preview}/confirm")


@pytest.fixture
def rich_data(user, make_habit):
    day = date(2024, 2, 1)
    make_habit(
        user.id,
        "Reading",
        "Learning",
        30,
        logs=[(day + timedelta(days=i), 10 + i, note) for i, note in enumerate(NOTES)]
        + [(day, 20, "same"), (day, 20, "same")],  # two identical logs both survive
    )
    make_habit(user.id, "=Running", "-Health", 150, "week", logs=[(day, 1440 - 50 - 40, None)])
    make_habit(user.id, "Old habit", "", None, archived=True)
    make_habit(user.id, "Weekly empty", "Misc", 600, "week")
    return user


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_web_round_trip_is_exact(app, client, auth, runner, rich_data, fmt):
    before = snapshot(app)
    exported = client.get(f"/settings/export.{fmt}").get_data()
    assert runner.invoke(args=["users", "delete", "alice", "--yes"]).exit_code == 0
    created = runner.invoke(args=["users", "create", "alice", "alice@example.com"], input=PASSWORD)
    assert created.exit_code == 0, created.output
    auth.login()
    response = upload(client, exported, f"alice.{fmt}")
    assert response.status_code == 302
    page = client.get("/settings/").get_data(as_text=True)
    assert "Imported 4 habits and 9 logs." in page
    assert snapshot(app) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_round_trip_is_exact_and_a_second_import_adds_nothing(
    app, runner, rich_data, fmt, tmp_path
):
    before = snapshot(app)
    path = tmp_path / f"alice.{fmt}"
    assert runner.invoke(args=["export", "alice", "-o", str(path)]).exit_code == 0
    assert runner.invoke(args=["users", "delete", "alice", "--yes"]).exit_code == 0
    runner.invoke(args=["users", "create", "alice", "alice@example.com"], input=PASSWORD)
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 habits and 9 logs." in result.output
    assert snapshot(app) == before
    again = runner.invoke(args=["import", "alice", str(path)])
    assert "Imported 0 habits and 0 logs (9 already there)." in again.output
    assert snapshot(app) == before


def test_import_reuses_habits_by_name_in_any_case(app, client, user, make_habit):
    make_habit(user.id, "Reading", "Books", 20, logs=[(date(2024, 1, 1), 30, "ch. 1")])
    data = (
        HEADER
        + "2024-01-01,READING,Other,30,ch. 1\n"  # already there: skipped
        + "2024-01-01,reading,Other,30,ch. 2\n"
        + "2024-01-02,Piano,Music,15,\n"
    )
    response = upload(client, data.encode())
    assert response.status_code == 302
    habits, logs = snapshot(app)
    assert habits == [
        ("Piano", "Music", None, "day", False),
        ("Reading", "Books", 20, "day", False),
    ]
    assert len(logs) == 3
    assert "Imported 1 habit and 2 logs (1 already there)." in client.get("/settings/").get_data(
        as_text=True
    )


def rejected(client, app, data: bytes, filename="data.csv", status=400):
    before = snapshot(app)
    response = upload(client, data, filename)
    assert response.status_code == status
    assert snapshot(app) == before
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        (
            HEADER + "2024-01-01,Reading,,30,\n2024-13-01,Reading,,30,\n",
            ["Line 3, date: '2024-13-01' is not a date on the calendar."],
        ),
        (
            HEADER + "2024-01-01,Reading,,30,\n01/02/2024,Reading,,30,\n",
            ["Line 3, date: '01/02/2024' is not a date; use YYYY-MM-DD."],
        ),
        (HEADER + "2024-01-01,Reading,,0,\n", ["Line 2, minutes: Log between 1 minute and 24h."]),
        (HEADER + "2024-01-01,Reading,,2000,\n", ["Line 2, minutes: Log between 1 minute"]),
        (HEADER + f"2024-01-01,Reading,,{'9' * 5000},\n", ["Line 2, minutes: Log between"]),
        (HEADER + "2024-01-01,Reading,,1h,\n", ["Line 2, minutes: must be a whole number"]),
        (HEADER + "2024-01-01,Reading,,３,\n", ["Line 2, minutes: must be a whole number"]),
        (
            HEADER + "2024-01-01,Reading,,800,\n2024-01-01,Running,,800,\n",
            ["Line 3, minutes: A day has 24h: 10h 40m left to log on Mon 1 Jan 2024."],
        ),
        ("date,habit,category,minutes,note,mood\n2024-01-01,Reading,,30,,ok\n", ["mood"]),
        ("2024-01-01,Reading,,30,\n", ["Line 1", "header row is missing"]),
        ("habit,minutes\nReading,30\n", ["Line 1", "no 'date' column"]),
        (HEADER + "2024-01-01,Reading,,30\n", ["Line 2: expected 5 cells, found 4."]),
        (
            HEADER + f"{date.today() + timedelta(days=3)},Reading,,30,\n",
            ["Line 2, date: That day is in the future in your time zone."],
        ),
        (HEADER + "1999-12-31,Reading,,30,\n", ["Line 2, date: Dates start on 2000-01-01."]),
        (HEADER + "2024-01-01,,,30,\n", ["Line 2, habit: Use 1–80 characters."]),
        (
            "date,habit,minutes,target_minutes\n2024-01-01,Reading,30,1441\n",
            ["Line 2, target_minutes: A daily target is 1 minute to 24h."],
        ),
        (
            "date,habit,minutes,target_period\n2024-01-01,Reading,30,month\n",
            ["Line 2, target_period: Choose 'day' or 'week'."],
        ),
        (
            HEADER + "2024-01-01,Reading,,30," + "n" * 501 + "\n",
            ["Line 2, note: Use at most 500 characters."],
        ),
        (HEADER + "2024-01-01,Rea\x00ding,,30,\n", ["Line 2, habit: the text holds a NUL"]),
        (HEADER + "2024-01-01,Reading,,30,a\x00b\n", ["Line 2, note: the text holds a NUL"]),
        ("", ["empty"]),
    ],
)
def test_bad_csv_is_rejected_whole(app, client, user, content, messages):
    page = rejected(client, app, content.encode())
    assert "nothing changed" in page
    for message in messages:
        assert message in page
    assert log_count(app) == 0


def test_multiline_notes_keep_line_numbers_right(app, client, user):
    content = HEADER + '2024-01-01,Reading,,30,"one\ntwo\nthree"\n2024-01-02,Reading,,0,\n'
    assert "Line 5" in rejected(client, app, content.encode())


def test_every_bad_row_is_listed(app, client, user):
    content = HEADER + "".join(f"2024-01-0{day},Reading,,0,\n" for day in range(1, 4))
    page = rejected(client, app, content.encode())
    assert all(f"Line {line}" in page for line in (2, 3, 4))


def test_day_total_counts_logs_already_stored(app, client, user, make_habit):
    make_habit(user.id, logs=[(date(2024, 1, 1), 1000, None)])
    page = rejected(client, app, (HEADER + "2024-01-01,Piano,,500,\n").encode())
    assert "Line 2" in page and "24h" in page


def test_non_utf8_is_rejected(app, client, user):
    content = (
        HEADER + "2024-01-01,Reading,,30,ok\n2024-01-02,Reading,,30,caf"
    ).encode() + b"\xe9\n"
    page = rejected(client, app, content)
    assert "Line 3" in page and "not UTF-8" in page


def test_a_6_mb_file_is_rejected_cleanly(app, client, user):
    row = "2024-01-01,Reading,,1,padding padding padding padding\n"
    content = (HEADER + row * (6_000_000 // len(row) + 1)).encode()
    assert len(content) > 6_000_000
    page = rejected(client, app, content, status=413)
    assert "larger than 5 MB" in page


def test_a_body_over_the_server_limit_is_a_friendly_413(app, client, user):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post(
        "/settings/import", data=body, content_type="multipart/form-data; boundary=xyz"
    )
    assert response.status_code == 413
    page = html.unescape(response.get_data(as_text=True))
    assert "larger than 5 MB" in page and "<h1>Settings</h1>" in page


def test_no_file_is_an_inline_error(client, user):
    response = client.post("/settings/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_cli_import_errors_exit_non_zero_and_write_nothing(app, runner, user, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "2024-01-01,Reading,,30,\n2024-01-02,Reading,,2000,\n")
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 1
    assert "Line 3, minutes: Log between 1 minute and 24h." in result.output
    assert "Error: bad.csv was rejected; nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert log_count(app) == 0


def test_cli_import_format_option_overrides_the_extension(app, runner, user, tmp_path):
    path = tmp_path / "data.txt"
    path.write_text(HEADER + "2024-01-01,Reading,,30,\n")
    result = runner.invoke(args=["import", "alice", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert log_count(app) == 1


def test_import_form_is_csrf_protected(app, client, user, monkeypatch):
    page = client.get("/settings/").get_data(as_text=True)
    assert 'action="/settings/import"' in page and 'name="csrf_token"' in page
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = upload(client, (HEADER + "2024-01-01,Reading,,30,\n").encode())
    assert response.status_code == 400
    assert log_count(app) == 0
