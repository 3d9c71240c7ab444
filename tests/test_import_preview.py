"""Every upload is a preview first: what it would add, nothing written; confirming imports it
in one transaction, cancelling drops it, and a preview is its owner's only, for an hour."""

import html
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from httracker.extensions import db
from httracker.models import Habit, HabitCheck, HabitLog, HabitSkip, ImportPreview, utcnow
from httracker.portability import ImportRejected, importing
from httracker.portability.previews import MAX_PREVIEWS

from .conftest import PASSWORD
from .foreign_files import SKIP, YES_MANUAL, big_loop_habits, loop_db
from .test_import import HEADER, log_count, snapshot, upload
from .test_import_caps import logged_in
from .test_import_loop import sample_habits

CSV = (HEADER + "2024-01-01,Reading,,30,\n2024-01-02,Piano,Music,20,\n").encode()


def previews(app, **where) -> list[ImportPreview]:
    with app.app_context():
        return list(db.session.scalars(select(ImportPreview).filter_by(**where)))


def start(client, data=CSV, filename="data.csv") -> str:
    response = upload(client, data, filename, confirm=False)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_the_preview_says_what_would_be_added_and_writes_nothing(app, client, user, make_habit):
    make_habit(user.id, "reading", logs=[(date(2024, 1, 1), 30, None)])
    before = snapshot(app)
    url = start(client)
    assert snapshot(app) == before
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "HT-Tracker CSV export" in page
    assert "matches reading" in page and "new habit" in page  # Piano is new
    assert '<time datetime="2024-01-01">' in page and '<time datetime="2024-01-02">' in page
    assert page.count('class="num">1</dd>') >= 2  # one new habit, one new log
    assert 'Already here</dt><dd class="num">1</dd>' in page
    assert [preview.user_id for preview in previews(app)] == [user.id]


def test_confirm_imports_everything_once(app, client, user):
    url = start(client)
    response = client.post(f"{url}/confirm")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/"
    assert "Imported 2 habits and 2 logs." in client.get("/settings/").get_data(as_text=True)
    assert log_count(app) == 2 and previews(app) == []
    assert client.post(f"{url}/confirm").status_code == 404
    assert log_count(app) == 2


def test_cancel_writes_nothing_and_forgets_the_file(app, client, user):
    before = snapshot(app)
    url = start(client)
    response = client.post(f"{url}/cancel")
    assert response.status_code == 302
    assert "cancelled; nothing changed" in client.get("/settings/").get_data(as_text=True)
    assert snapshot(app) == before and previews(app) == []
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/confirm").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("POST", "/confirm"), ("POST", "/cancel"),
                           ("POST", "/mapping")]
)  # fmt: skip
def test_another_users_preview_is_a_404(app, make_user, method, suffix):
    make_user("alice")
    make_user("bob")
    # Clients of their own: the `client` fixture keeps its last context, and `g` with it.
    client, bob = logged_in(app, "alice"), logged_in(app, "bob")
    url = start(bob)
    before = snapshot(app, "bob")
    response = client.open(url + suffix, method=method, data={"mapping": "project"})
    assert response.status_code == 404
    assert "Reading" not in response.get_data(as_text=True)
    assert snapshot(app, "bob") == before and len(previews(app)) == 1
    assert bob.get(url).status_code == 200


def test_an_expired_preview_is_gone(app, client, user):
    url = start(client)
    with app.app_context():
        db.session.execute(update(ImportPreview).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/confirm").status_code == 404
    assert log_count(app) == 0
    start(client)  # a new upload clears the expired one away
    assert len(previews(app)) == 1


def test_an_account_keeps_only_its_latest_previews(app, client, user):
    urls = [start(client) for _ in range(MAX_PREVIEWS + 2)]
    assert len(previews(app, user_id=user.id)) == MAX_PREVIEWS
    assert client.get(urls[0]).status_code == 404
    assert client.get(urls[-1]).status_code == 200


def test_a_failure_while_writing_leaves_nothing(app, client, user, monkeypatch, tmp_path):
    """All or nothing: the logs are written, then the check-offs fail; nothing stays, and the
    preview is still there to try again."""
    url = start(client, loop_db(tmp_path / "x.db", sample_habits()), "Loop.db")

    def fail(*args):
        raise ImportRejected(["A habit or a day in this file was changed meanwhile."])

    monkeypatch.setattr(importing, "write_days", fail)
    response = client.post(f"{url}/confirm")
    assert response.status_code == 400
    assert "Loop.db was not imported; nothing changed." in html.unescape(
        response.get_data(as_text=True)
    )
    assert snapshot(app) == ([], []) and len(previews(app)) == 1
    monkeypatch.undo()
    assert client.post(f"{url}/confirm").status_code == 302
    assert log_count(app) == 3


def test_a_rule_broken_since_the_preview_is_shown_and_nothing_is_written(
    app, client, user, make_habit
):
    url = start(client)
    make_habit(user.id, "Piano", kinds={"kind": "check"})  # Piano is now a check habit
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Line 3, minutes:" in page and "This file cannot be imported" in page
    response = client.post(f"{url}/confirm")
    assert response.status_code == 400 and log_count(app) == 0


def test_deleting_the_account_deletes_its_previews(app, client, user):
    start(client)
    data = {"current_password": PASSWORD, "confirm_username": "alice"}
    assert client.post("/settings/delete", data=data).status_code == 302
    assert previews(app) == []


def test_preview_forms_need_a_csrf_token(app, client, user, monkeypatch):
    url = start(client)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"{url}/confirm").status_code == 400
    assert client.post(f"{url}/cancel").status_code == 400
    assert log_count(app) == 0 and len(previews(app)) == 1


def test_ten_megabytes_of_junk_is_refused(app, client, user, runner, tmp_path):
    junk = os.urandom(10 * 1024 * 1024)
    response = upload(client, junk, "junk.db")
    assert response.status_code == 413 and previews(app) == []
    path = tmp_path / "junk.db"
    path.write_bytes(junk)
    result = runner.invoke(args=["import", "alice", str(path)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert log_count(app) == 0


def test_a_ten_year_loop_backup_of_twenty_habits(app, client, user, tmp_path):
    habits = big_loop_habits()
    data = loop_db(tmp_path / "big.db", habits)
    assert len(data) < 5 * 1024 * 1024  # within the upload limit
    url = start(client, data, "Loop big.db")
    assert client.post(f"{url}/confirm").status_code == 302
    expected_checks = sum(
        value == YES_MANUAL
        for habit in habits
        if not habit.numerical
        for _, value, _ in habit.entries
    )
    expected_skips = sum(value == SKIP for habit in habits for _, value, _ in habit.entries)
    expected_logs = sum(
        value > 0 and value != SKIP
        for habit in habits
        if habit.numerical
        for _, value, _ in habit.entries
    )
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Habit, HabitCheck, HabitSkip, HabitLog)
        ]
    assert counts == [20, expected_checks, expected_skips, expected_logs]
    assert expected_checks > 35_000
