"""Habits: create, edit, archive, delete and the list page."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import Habit, HabitLog
from httracker.timeutil import today_in


def habit_data(**fields):
    data = {"name": "Reading", "category": "Mind", "target_minutes": "30", "target_period": "day"}
    data.update(fields)
    return data


def habits_in_db(app):
    with app.app_context():
        return list(db.session.scalars(select(Habit).order_by(Habit.id)))


def test_create_habit_lands_on_the_dashboard_with_its_row_highlighted(client, app, user):
    response = client.post("/habits/new", data=habit_data(target_minutes="1h 30m"))
    [habit] = habits_in_db(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard?new={habit.id}#habit-{habit.id}"
    dashboard = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created habit Reading" in dashboard
    assert f'id="habit-{habit.id}" class="hc-teal new"' in dashboard
    assert (habit.name, habit.category, habit.target_minutes, habit.target_period) == (
        "Reading",
        "Mind",
        90,
        "day",
    )
    page = client.get(f"/habits/{habit.id}").data
    assert b"1h 30m / day" in page


def test_target_is_optional(client, app, user):
    response = client.post("/habits/new", data=habit_data(target_minutes=""))
    assert response.status_code == 302
    assert habits_in_db(app)[0].target_minutes is None


@pytest.mark.parametrize("name", ["Reading", "READING", "reading"])
def test_duplicate_name_in_any_case_is_an_inline_error(client, app, user, make_habit, name):
    make_habit(user.id, "Reading")
    response = client.post("/habits/new", data=habit_data(name=name))
    assert response.status_code == 400
    assert b"You already have a habit with that name." in response.data
    assert len(habits_in_db(app)) == 1


def test_same_name_is_fine_for_another_user(client, app, user, make_user, make_habit):
    bob = make_user("bob")
    make_habit(bob.id, "Reading")
    assert client.post("/habits/new", data=habit_data()).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, b"This field is required"),
        ({"name": "x" * 81}, "Use 1–80 characters.".encode()),
        ({"category": "c" * 41}, b"Use at most 40 characters."),
        ({"name": "Read\r\nBcc: x@example.net"}, b"Use one line of text"),
        ({"name": "Read\ting"}, b"Use one line of text"),
        ({"category": "Mind\u2028Body"}, b"Use one line of text"),
        ({"target_minutes": "lots"}, b"1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours"),
        ({"target_minutes": "25h"}, b"A daily target is 1 minute to 24h"),
        (
            {"target_minutes": "170h", "target_period": "week"},
            b"A weekly target is 1 minute to 168h",
        ),
        ({"target_period": "month"}, b"Not a valid choice"),
        ({"target_minutes": "9" * 50}, b"1:30, 1h30"),
    ],
)
def test_habit_validation_is_inline_with_400(client, app, user, fields, message):
    response = client.post("/habits/new", data=habit_data(**fields))
    assert response.status_code == 400
    assert message in response.data
    assert habits_in_db(app) == []


def test_new_habit_suggests_existing_categories(client, user, make_habit):
    make_habit(user.id, "Run", category="Sport")
    make_habit(user.id, "Read", category="Mind")
    page = client.get("/habits/new").data.decode()
    assert '<datalist id="category-options">' in page
    assert page.index('<option value="Mind">') < page.index('<option value="Sport">')


def test_edit_habit(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    form = client.get(f"/habits/{habit_id}/edit")
    assert b'value="Reading"' in form.data
    response = client.post(
        f"/habits/{habit_id}/edit",
        data=habit_data(name="Deep reading", target_minutes="5h", target_period="week"),
    )
    assert response.headers["Location"] == f"/habits/{habit_id}"
    [habit] = habits_in_db(app)
    assert (habit.name, habit.name_key, habit.target_minutes) == (
        "Deep reading",
        "deep reading",
        300,
    )
    page = client.get(f"/habits/{habit_id}").data
    assert b"Saved habit Deep reading." in page
    assert b"5h / week" in page


def test_edit_to_a_taken_name_is_an_inline_error(client, app, user, make_habit):
    make_habit(user.id, "Running")
    habit_id = make_habit(user.id, "Reading")
    response = client.post(f"/habits/{habit_id}/edit", data=habit_data(name="RUNNING"))
    assert response.status_code == 400
    assert b"You already have a habit with that name." in response.data
    assert {habit.name for habit in habits_in_db(app)} == {"Running", "Reading"}


def test_edit_keeps_own_name_in_another_case(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    response = client.post(f"/habits/{habit_id}/edit", data=habit_data(name="READING"))
    assert response.status_code == 302
    assert habits_in_db(app)[0].name == "READING"


def test_archive_and_unarchive(client, app, user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading")
    make_log(user.id, habit_id, today_in("UTC") - timedelta(days=1))
    response = client.post(f"/habits/{habit_id}/archive")
    assert response.headers["Location"] == "/habits/"
    assert habits_in_db(app)[0].archived
    listing = client.get("/habits/").data.decode()
    assert "Archived habit Reading." in listing
    assert listing.index("Archived</h2>") < listing.index(">Reading</a>")
    # gone from the quick log and the log form, logs kept
    assert f"/habits/{habit_id}/log".encode() not in client.get("/dashboard").data
    assert b"Reading" not in client.get("/logs/new").data
    response = client.post("/logs/new", data={"habit_id": habit_id, "minutes": "5"})
    assert response.status_code == 400
    assert client.post(f"/habits/{habit_id}/log", data={"minutes": "5"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(HabitLog.id))) == 1
    # restored
    response = client.post(f"/habits/{habit_id}/unarchive", data={"next": f"/habits/{habit_id}"})
    assert response.headers["Location"] == f"/habits/{habit_id}"
    assert not habits_in_db(app)[0].archived
    assert f"/habits/{habit_id}/log".encode() in client.get("/dashboard").data


def test_delete_asks_for_confirmation_with_the_log_count(client, app, user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading")
    for days in range(3):
        make_log(user.id, habit_id, today_in("UTC") - timedelta(days=days))
    page = client.get(f"/habits/{habit_id}/delete")
    assert page.status_code == 200
    assert b"its 3 logs" in page.data
    assert len(habits_in_db(app)) == 1


def test_delete_removes_the_habit_and_its_logs_only(client, app, user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading")
    other_id = make_habit(user.id, "Running")
    make_log(user.id, habit_id, today_in("UTC"))
    make_log(user.id, habit_id, today_in("UTC") - timedelta(days=1))
    kept = make_log(user.id, other_id, today_in("UTC"))
    response = client.post(f"/habits/{habit_id}/delete")
    assert response.headers["Location"] == "/habits/"
    assert [habit.name for habit in habits_in_db(app)] == ["Running"]
    with app.app_context():
        assert list(db.session.scalars(select(HabitLog.id))) == [kept]
    assert b"Deleted habit Reading and its logs." in client.get("/habits/").data


def test_list_shows_target_week_minutes_and_last_logged(client, user, make_habit, make_log):
    habit_id = make_habit(
        user.id, "Reading", category="Mind", target_minutes=300, target_period="week"
    )
    make_habit(user.id, "Idle")
    today = today_in("UTC")
    make_log(user.id, habit_id, today, 45)
    make_log(user.id, habit_id, today - timedelta(days=8), 100)  # last week: not counted
    page = client.get("/habits/").data.decode()
    assert "5h / week" in page
    assert "45m" in page
    assert "1h 40m" not in page and "2h 25m" not in page
    assert today.isoformat() in page
    assert "Never" in page
    assert "No target" in page


def test_week_minutes_follow_the_users_week_start(
    client, app, make_user, auth, make_habit, make_log
):
    from httracker.timeutil import week_start_of

    alice = make_user("alice", week_start="sunday")
    auth.login()
    habit_id = make_habit(alice.id, "Reading")
    today = today_in("UTC")
    sunday_start = week_start_of(today, "sunday")
    monday_start = week_start_of(today, "monday")
    make_log(alice.id, habit_id, sunday_start, 7)
    make_log(alice.id, habit_id, monday_start, 11)
    expected = sum(m for day, m in ((sunday_start, 7), (monday_start, 11)) if day >= sunday_start)
    row = client.get("/habits/").data.decode().split(">Reading</a>")[1].split("</tr>")[0]
    assert f">{expected}m<" in row


def test_empty_state_guides_to_the_first_habit(client, user):
    page = client.get("/habits/").data
    assert b"Create your first habit" in page
    assert b'href="/habits/new"' in page


def test_habit_page_shows_recent_logs_escaped(client, user, make_habit, make_log):
    habit_id = make_habit(user.id, "Reading")
    make_log(user.id, habit_id, today_in("UTC"), 90, note="<script>alert(1)</script>")
    page = client.get(f"/habits/{habit_id}").data
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert b"1h 30m" in page


def test_create_honours_a_safe_next_only(client, user):
    response = client.post("/habits/new?next=/dashboard", data=habit_data())
    assert response.headers["Location"] == "/dashboard"
    response = client.post("/habits/new?next=//evil.example", data=habit_data(name="Other"))
    assert response.headers["Location"].startswith("/dashboard?new=")


@pytest.mark.parametrize("path", ["/habits/", "/habits/new", "/logs/", "/logs/new"])
def test_habit_pages_need_a_login(client, path):
    assert client.get(path).headers["Location"].startswith("/auth/login?next=")


def test_log_time_from_a_habit_page_returns_to_it(client, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    page = client.get(f"/habits/{habit_id}").get_data(as_text=True)
    link = f"/logs/new?habit_id={habit_id}&amp;next=/habits/{habit_id}"
    assert link in page
    data = {"habit_id": habit_id, "minutes": "20", "date": today_in("UTC").isoformat()}
    response = client.post(link.replace("&amp;", "&"), data=data)
    assert response.headers["Location"] == f"/habits/{habit_id}"
    assert "Logged 20m of Reading" in client.get(f"/habits/{habit_id}").get_data(as_text=True)
