"""Habit kinds through the habit form and the pages: check habits, limits, kind changes, and
what the dashboard and the habit page show of them."""

import html

from sqlalchemy import select

from httracker.extensions import db
from httracker.models import Habit, HabitCheck, HabitLog
from httracker.timeutil import today_in


def habits_in_db(app):
    with app.app_context():
        return list(db.session.scalars(select(Habit).order_by(Habit.id)))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_weekly_check_habit_is_created_from_the_form(client, app, user):
    response = client.post(
        "/habits/new",
        data={
            "name": "Gym",
            "kind": "check",
            "target_period": "week",
            "target_times": "3",
            "target_minutes": "45",
            "target_direction": "at_least",
        },
    )
    assert response.status_code == 302
    [habit] = habits_in_db(app)
    assert (habit.kind, habit.target_period, habit.target_times, habit.target_minutes) == (
        "check",
        "week",
        3,
        None,
    )
    assert "3 times / week" in page_text(client.get(f"/habits/{habit.id}"))


def test_a_daily_check_habit_is_once_a_day(client, app, user):
    client.post(
        "/habits/new",
        data={"name": "Meds", "kind": "check", "target_period": "day", "target_times": "5"},
    )
    [habit] = habits_in_db(app)
    assert (habit.kind, habit.target_times) == ("check", 1)


def test_a_limit_needs_its_minutes_and_a_weekly_check_its_times(client, app, user):
    response = client.post(
        "/habits/new", data={"name": "Social media", "kind": "time", "target_direction": "at_most"}
    )
    assert response.status_code == 400
    assert "A limit needs its minutes: at most how long?" in page_text(response)
    response = client.post(
        "/habits/new", data={"name": "Gym", "kind": "check", "target_period": "week"}
    )
    assert response.status_code == 400
    assert "A weekly check habit is done 1 to 7 times." in page_text(response)
    response = client.post(
        "/habits/new",
        data={"name": "Gym", "kind": "check", "target_period": "week", "target_times": "8"},
    )
    assert response.status_code == 400
    assert habits_in_db(app) == []


def test_a_habit_keeps_its_kind_once_it_has_entries(client, app, user, make_habit):
    today = today_in(user.timezone)
    habit_id = make_habit(user.id, "Reading", target_minutes=30, logs=[(today, 20, None)])
    response = client.post(
        f"/habits/{habit_id}/edit",
        data={"name": "Reading", "kind": "check", "target_period": "day"},
    )
    assert response.status_code == 400
    assert "already has logs: its kind stays" in page_text(response)
    [habit] = habits_in_db(app)
    assert habit.kind == "time" and habit.target_minutes == 30
    empty_id = make_habit(user.id, "Piano")
    response = client.post(
        f"/habits/{empty_id}/edit",
        data={"name": "Piano", "kind": "check", "target_period": "day"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Habit, empty_id).kind == "check"


def test_minutes_are_refused_for_a_check_habit(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    response = client.post(f"/habits/{habit_id}/log", data={"minutes": "10"})
    assert response.status_code == 400
    assert "Meds is checked off, not timed: check it instead." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(HabitLog.id)) is None


def test_the_dashboard_checks_off_in_one_press_and_shows_limits(client, app, user, make_habit):
    today = today_in(user.timezone)
    meds = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    make_habit(
        user.id,
        "Social media",
        target_minutes=60,
        kinds={"direction": "at_most"},
        logs=[(today, 42, None)],
    )
    page = page_text(client.get("/dashboard"))
    assert "42m of at most 1h" in page
    assert f'action="/habits/{meds}/check"' in page and "Not yet" in page
    response = client.post(f"/habits/{meds}/check", data={"next": "/dashboard"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    with app.app_context():
        assert db.session.scalar(select(HabitCheck.date)) == today
    page = page_text(client.get("/dashboard"))
    assert "Done ✓" in page and f'action="/habits/{meds}/uncheck"' in page


def test_the_habit_page_shows_check_offs_and_skipped_days(client, app, user, make_habit):
    today = today_in(user.timezone)
    meds = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    client.post(f"/habits/{meds}/check", data={"date": today.isoformat(), "note": "morning"})
    client.post(
        f"/habits/{meds}/skip",
        data={
            "date": today.replace(day=1).isoformat() if today.day > 1 else today.isoformat(),
            "note": "travelling",
        },
    )
    page = page_text(client.get(f"/habits/{meds}"))
    assert "Checked off" in page and "morning" in page
    assert "Skipped" in page and "travelling" in page
    assert "Undo today's check-off" in page


def test_deleting_the_account_removes_its_check_offs_skips_and_breaks(
    client, app, user, make_habit
):
    from httracker.models import HabitBreak, HabitBreakHabit, HabitSkip

    today = today_in(user.timezone)
    meds = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    client.post(f"/habits/{meds}/check", data={"date": today.isoformat()})
    client.post(f"/habits/{meds}/skip", data={"date": today.isoformat()})
    client.post(
        "/settings/breaks",
        data={"start": today.isoformat(), "end": today.isoformat(), "habits": str(meds)},
    )
    with app.app_context():
        for model in (HabitCheck, HabitSkip, HabitBreak, HabitBreakHabit):
            assert db.session.scalar(select(model.user_id)) == user.id, model
    response = client.post(
        "/settings/delete",
        data={"current_password": "correct horse battery", "confirm_username": "alice"},
    )
    assert response.status_code == 302
    with app.app_context():
        for model in (HabitCheck, HabitSkip, HabitBreak, HabitBreakHabit):
            assert db.session.scalar(select(model.user_id)) is None, model
