"""/api/v1/timer: start, read, stop (its minutes become logs) and discard, through the timer's
own services, with their rules and messages."""

from datetime import timedelta

from sqlalchemy import select

from httracker.extensions import db
from httracker.models import HabitLog, utcnow

from .test_api_access import assert_problem


def test_start_read_and_stop_a_timer_that_logs_its_minutes(app, api, make_habit):
    habit_id = make_habit(api.user.id, "Piano")
    assert api.get("/api/v1/timer").get_json() == {"running": False, "timer": None}
    started_at = (utcnow() - timedelta(minutes=45)).replace(microsecond=0)
    started = api.post(
        "/api/v1/timer/start",
        json={"habit_id": habit_id, "started_at": started_at.isoformat(), "note": "scales"},
    )
    assert started.status_code == 201, started.get_json()
    timer = started.get_json()["timer"]
    assert (timer["habit_id"], timer["note"]) == (habit_id, "scales")
    assert started.get_json()["stopped"] is None
    running = api.get("/api/v1/timer").get_json()
    assert running["running"] is True and 45 * 60 <= running["timer"]["seconds"] < 47 * 60
    stopped = api.post("/api/v1/timer/stop", json={})
    assert stopped.status_code == 200, stopped.get_json()
    result = stopped.get_json()
    assert result["habit_id"] == habit_id and result["too_short"] is False
    assert 45 <= result["minutes"] <= 46
    with app.app_context():
        logs = db.session.scalars(select(HabitLog)).all()
        assert sum(log.minutes for log in logs) == result["minutes"]
        assert {log.note for log in logs} == {"scales"}
    assert [log["id"] for log in result["logs"]] == [log.id for log in logs]
    assert api.get("/api/v1/timer").get_json()["running"] is False


def test_a_short_run_logs_nothing_and_discard_ends_a_timer(app, api, make_habit):
    habit_id = make_habit(api.user.id, "Piano")
    assert api.post("/api/v1/timer/start", json={"habit_id": habit_id}).status_code == 201
    short = api.post("/api/v1/timer/stop", json={}).get_json()
    assert short["too_short"] is True and short["logs"] == [] and short["minutes"] == 0
    api.post("/api/v1/timer/start", json={"habit_id": habit_id})
    assert api.post("/api/v1/timer/discard").status_code == 204
    assert api.get("/api/v1/timer").get_json()["running"] is False
    with app.app_context():
        assert db.session.scalars(select(HabitLog)).all() == []


def test_timer_rules_come_from_the_timer_services(api, make_user, make_habit):
    check_id = make_habit(api.user.id, "Gym", kinds={"kind": "check"})
    refused = assert_problem(api.post("/api/v1/timer/start", json={"habit_id": check_id}), 422)
    message = "Gym is checked off, not timed: check it instead."
    assert (refused["detail"], refused["errors"]) == (message, {"habit_id": [message]})
    not_running = assert_problem(api.post("/api/v1/timer/stop", json={}), 422)
    assert not_running["errors"] == {"timer_id": ["No timer is running."]}
    discarded = assert_problem(api.post("/api/v1/timer/discard"), 422)
    assert discarded["detail"] == "No timer is running."
    bob = make_user("bob")
    assert_problem(api.post("/api/v1/timer/start", json={"habit_id": make_habit(bob.id)}), 404)
    future = (utcnow() + timedelta(hours=2)).isoformat()
    habit_id = make_habit(api.user.id, "Piano")
    assert_problem(
        api.post("/api/v1/timer/start", json={"habit_id": habit_id, "started_at": future}), 422
    )


def test_starting_a_timer_stops_and_logs_the_running_one(app, api, make_habit):
    piano = make_habit(api.user.id, "Piano")
    chess = make_habit(api.user.id, "Chess")
    earlier = (utcnow() - timedelta(minutes=20)).replace(microsecond=0).isoformat()
    api.post("/api/v1/timer/start", json={"habit_id": piano, "started_at": earlier})
    switched = api.post("/api/v1/timer/start", json={"habit_id": chess})
    assert switched.status_code == 201
    assert switched.get_json()["stopped"]["habit_id"] == piano
    assert 19 <= switched.get_json()["stopped"]["minutes"] <= 21
    assert switched.get_json()["timer"]["habit_id"] == chess


def test_a_long_run_is_confirmed_day_by_day(app, api, make_habit):
    habit_id = make_habit(api.user.id, "Piano")
    started_at = (utcnow() - timedelta(hours=13)).replace(microsecond=0)
    api.post(
        "/api/v1/timer/start", json={"habit_id": habit_id, "started_at": started_at.isoformat()}
    )
    asked = api.post("/api/v1/timer/stop", json={})
    problem = assert_problem(asked, 422)
    message = "The timer of Piano ran over 12 hours: confirm its minutes."
    assert (problem["detail"], problem["errors"]) == (message, {"minutes": [message]})
    days = problem["days"]
    assert sum(day["minutes"] for day in days) in (780, 781)
    assert all(day["fits"] == 1440 for day in days)
    confirmed = {day["date"]: 60 for day in days}
    done = api.post("/api/v1/timer/stop", json={"minutes": confirmed})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["minutes"] == 60 * len(days)
    with app.app_context():
        assert sorted(
            log.date.isoformat() for log in db.session.scalars(select(HabitLog))
        ) == sorted(confirmed)
    assert api.get("/api/v1/timer").get_json()["running"] is False


def test_a_switch_started_before_the_running_timer_is_a_422_on_started_at(
    app, api, make_habit, monkeypatch
):
    from httracker.api import timer as api_timer

    from .test_timer import NOW, logs, make_timer, timers

    monkeypatch.setattr(api_timer, "utcnow", lambda: NOW)
    piano, chess = make_habit(api.user.id, "Piano"), make_habit(api.user.id, "Chess")
    make_timer(app, api.user.id, piano, NOW - timedelta(minutes=40))
    before = timers(app)
    refused = api.post(
        "/api/v1/timer/start",
        json={"habit_id": chess, "started_at": (NOW - timedelta(hours=1)).isoformat()},
    )
    problem = assert_problem(refused, 422)
    # The same words as the timer page, on the request's own field.
    message = "The timer of Piano started at 11:20 (UTC): start Chess then or later."
    assert problem["detail"] == message
    assert problem["errors"] == {"started_at": [message]}
    assert timers(app) == before and logs(app) == []
    future = api.post(
        "/api/v1/timer/start",
        json={"habit_id": chess, "started_at": (NOW + timedelta(minutes=5)).isoformat()},
    )
    assert list(assert_problem(future, 422)["errors"]) == ["started_at"]
    assert timers(app) == before and logs(app) == []
