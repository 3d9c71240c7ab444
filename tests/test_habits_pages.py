"""Page-level guarantees for habit and log pages: CSRF on every form, one h1, labels, no inline
script or style."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import Habit, HabitBreak, HabitCheck, HabitLog, HabitSkip
from httracker.timeutil import today_in

POST_FORM = re.compile(r'<form method="post".*?</form>', re.S)


@pytest.fixture
def pages(app, user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading", category="Mind")
    make_habit(user.id, "Old", archived=True)
    log_id = make_log(user.id, habit_id, today_in("UTC") - timedelta(days=1), 30, note="n")
    check_id = make_habit(user.id, "Stretch", kinds={"kind": "check"})
    add_day_entries(app, user.id, check_id)
    yesterday = (today_in("UTC") - timedelta(days=1)).isoformat()
    return [
        f"/habits/{habit_id}/days/{yesterday}",
        f"/habits/{check_id}/days/{yesterday}",
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
        "/settings/breaks",
    ]


def add_day_entries(app, user_id: int, habit_id: int) -> None:
    """A check and a skip of the habit yesterday, and a break of all habits."""
    day = today_in("UTC") - timedelta(days=1)
    with app.app_context():
        db.session.add(HabitCheck(user_id=user_id, habit_id=habit_id, date=day))
        db.session.add(HabitSkip(user_id=user_id, habit_id=habit_id, date=day))
        db.session.add(HabitBreak(user_id=user_id, start_date=day, end_date=day))
        db.session.commit()


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


def test_day_and_break_forms_need_a_csrf_token(client, app, monkeypatch, user, make_habit):
    stretch = make_habit(user.id, "Stretch", kinds={"kind": "check"})
    add_day_entries(app, user.id, stretch)
    with app.app_context():
        break_id = db.session.scalar(select(HabitBreak.id))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    def stored():
        with app.app_context():
            return [
                db.session.scalar(select(func.count()).select_from(model))
                for model in (HabitCheck, HabitSkip, HabitBreak)
            ]

    day = (today_in("UTC") - timedelta(days=2)).isoformat()
    posts = {
        f"/habits/{stretch}/check": {"date": day},
        f"/habits/{stretch}/uncheck": {"date": day},
        f"/habits/{stretch}/skip": {"date": day},
        f"/habits/{stretch}/unskip": {"date": day},
        "/settings/breaks": {"start": day, "end": day, "habits": "all"},
        f"/settings/breaks/{break_id}/delete": {},
    }
    for path, data in posts.items():
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert b"CSRF" in response.data, path
    assert stored() == [1, 1, 1]
    # The same posts with the token the pages carry go through.
    page = client.get("/settings/breaks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    adds = [path for path in posts if path.endswith(("/check", "/skip", "/breaks"))]
    for path in adds:
        assert client.post(path, data={**posts[path], "csrf_token": token}).status_code == 302
    assert stored() == [2, 2, 2]
    for path in posts.keys() - adds:
        assert client.post(path, data={**posts[path], "csrf_token": token}).status_code == 302
    assert stored() == [1, 1, 1]
