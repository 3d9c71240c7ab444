"""Page-level guarantees for habit and log pages: CSRF on every form, one h1, labels, no inline
script or style."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import Habit, HabitLog
from httracker.timeutil import today_in

POST_FORM = re.compile(r'<form method="post".*?</form>', re.S)


@pytest.fixture
def pages(user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading", category="Mind")
    make_habit(user.id, "Old", archived=True)
    log_id = make_log(user.id, habit_id, today_in("UTC") - timedelta(days=1), 30, note="n")
    return [
        "/dashboard",
        "/habits/",
        "/habits/new",
        f"/habits/{habit_id}",
        f"/habits/{habit_id}/edit",
        f"/habits/{habit_id}/delete",
        "/logs/",
        "/logs/new",
        f"/logs/{log_id}/edit",
        f"/logs/{log_id}/delete",
        "/settings/",
        "/settings/preferences",
    ]


def test_every_post_form_carries_a_csrf_token(client, app, monkeypatch, pages):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        for form in POST_FORM.findall(page):
            assert 'name="csrf_token"' in form, (path, form[:200])


# A script element without a src: the strict Content-Security-Policy would block it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


def test_pages_have_one_h1_labelled_inputs_and_no_inline_script_or_style(client, pages):
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        assert page.count("<h1") == 1, path
        assert not INLINE_SCRIPT.search(page), path
        assert "style=" not in page and "<style" not in page, path
        assert len(set(re.findall(r' id="([^"]+)"', page))) == len(
            re.findall(r' id="([^"]+)"', page)
        ), path
        for input_id in re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page):
            if input_id != "csrf_token":
                assert f'for="{input_id}"' in page, (path, input_id)
        assert page.count("<table") == page.count('<div class="table-scroll">'), path


def test_posts_without_a_csrf_token_are_rejected(client, app, monkeypatch, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    posts = {
        "/habits/new": {"name": "New", "target_period": "day"},
        f"/habits/{habit_id}/edit": {"name": "Renamed", "target_period": "day"},
        f"/habits/{habit_id}/archive": {},
        f"/habits/{habit_id}/delete": {},
        f"/habits/{habit_id}/log": {"minutes": "5"},
        "/logs/new": {"habit_id": habit_id, "minutes": "5", "date": today_in("UTC").isoformat()},
        "/settings/preferences": {"timezone": "Europe/Paris", "week_start": "sunday"},
    }
    for path, data in posts.items():
        assert client.post(path, data=data).status_code == 400, path
    with app.app_context():
        habit = db.session.scalar(select(Habit))
        assert (habit.name, habit.archived) == ("Reading", False)
        assert db.session.scalar(select(func.count(HabitLog.id))) == 0


def test_quick_log_works_with_csrf_on(client, app, monkeypatch, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/dashboard").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/habits/{habit_id}/log", data={"minutes": "5", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.sum(HabitLog.minutes))) == 5
