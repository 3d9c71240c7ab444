"""The timer's harder stops: days cut at midnight in the user's zone (a 23- and a 25-hour day
included), the 12-hour confirmation, a full day, stale confirmations, and what archiving,
deleting and changing the time zone do to a running timer. The timer's clock is pinned."""

from datetime import UTC, date, datetime, timedelta

import pytest

from httracker.extensions import db
from httracker.models import User

from .conftest import PASSWORD
from .test_timer import NOW, flashes, logs, make_timer, pin_clock, set_timezone, timers


@pytest.fixture
def clock(monkeypatch):
    """The timer's clock, pinned: `clock(instant)`; it starts at NOW."""
    return pin_clock(monkeypatch)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # 2026-11-19 22:30 to 2026-11-20 00:30 UTC.
        ("UTC", [(date(2026, 11, 19), 90), (date(2026, 11, 20), 30)]),
        # Tokyo (UTC+9): 07:30 to 09:30 on the 20th.
        ("Asia/Tokyo", [(date(2026, 11, 20), 120)]),
        # Los Angeles (UTC-8): 14:30 to 16:30 on the 19th.
        ("America/Los_Angeles", [(date(2026, 11, 19), 120)]),
    ],
)
def test_a_timer_across_midnight_is_one_log_per_day_of_the_users_zone(
    app, client, user, make_habit, clock, zone, expected
):
    set_timezone(app, user.id, zone)
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, datetime(2026, 11, 19, 22, 30, tzinfo=UTC))
    clock(datetime(2026, 11, 20, 0, 30, tzinfo=UTC))
    client.post("/timer/stop")
    assert [(day, minutes) for _, day, minutes, _ in logs(app)] == expected


def test_changing_the_time_zone_keeps_the_timer_and_splits_in_the_new_zone(
    app, client, user, make_habit, clock
):
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, datetime(2026, 11, 19, 22, 30, tzinfo=UTC))
    response = client.post(
        "/settings/preferences", data={"timezone": "Asia/Tokyo", "week_start": "monday"}
    )
    assert response.status_code == 302
    assert len(timers(app)) == 1
    clock(datetime(2026, 11, 20, 0, 30, tzinfo=UTC))
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<time datetime="2026-11-19T22:30:00+00:00">07:30</time>' in page  # today in Tokyo
    client.post("/timer/stop")
    assert logs(app) == [(piano, date(2026, 11, 20), 120, None)]


def test_a_timer_over_twelve_hours_waits_for_confirmation(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    timer_id = make_timer(app, user.id, piano, NOW - timedelta(hours=12, minutes=1), "long")
    response = client.post("/timer/stop")
    assert response.headers["Location"] == "/timer/stop"
    assert logs(app) == [] and len(timers(app)) == 1
    page = client.get("/timer/stop").get_data(as_text=True)
    assert "ran over 12 hours" in page
    assert 'name="days-0-date" required type="hidden" value="2026-11-19"' in page
    assert 'name="days-0-minutes" size="8" type="text" value="1m"' in page  # 23:59 to 24:00
    assert 'name="days-1-minutes" size="8" type="text" value="12h"' in page
    data = {
        "timer_id": timer_id,
        "days-0-date": "2026-11-19",
        "days-0-minutes": "0",
        "days-1-date": "2026-11-20",
        "days-1-minutes": "45m",
    }
    response = client.post("/timer/stop", data=data)
    assert response.status_code == 302
    assert logs(app) == [(piano, date(2026, 11, 20), 45, "long")]
    assert timers(app) == []
    assert "Stopped the timer: logged 45m of Piano." in flashes(client)


def test_exactly_twelve_hours_logs_without_asking(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(hours=12))
    client.post("/timer/stop")
    assert logs(app) == [(piano, date(2026, 11, 20), 720, None)]


def test_a_full_day_shows_what_fits_and_saves_only_what_is_confirmed(
    app, client, user, make_habit, clock
):
    piano = make_habit(user.id, "Piano")
    make_habit(user.id, "Sleep", logs=[(date(2026, 11, 20), 1430, None)])
    timer_id = make_timer(app, user.id, piano, NOW - timedelta(minutes=30))
    response = client.post("/timer/stop")
    assert response.headers["Location"] == "/timer/stop"
    page = client.get("/timer/stop").get_data(as_text=True)
    assert "does not fit in a day" in page or "do not fit" in page
    assert '<td class="num" data-label="Timed">30m</td>' in page
    assert '<td class="num" data-label="Fits">10m' in page
    assert 'name="days-0-minutes" size="8" type="text" value="10m"' in page
    data = {"timer_id": timer_id, "days-0-date": "2026-11-20", "days-0-minutes": "30"}
    response = client.post("/timer/stop", data=data)
    assert response.status_code == 400
    assert "A day has 24h: 10m left to log on Fri 20 Nov 2026." in response.get_data(as_text=True)
    assert len(logs(app)) == 1 and len(timers(app)) == 1
    twice = {**data, "days-0-minutes": "5", "days-1-date": "2026-11-20", "days-1-minutes": "5"}
    response = client.post("/timer/stop", data=twice)
    assert response.status_code == 400
    assert "Fri 20 Nov 2026 is listed twice." in response.get_data(as_text=True)
    assert len(logs(app)) == 1 and len(timers(app)) == 1
    data["days-0-minutes"] = "10"
    assert client.post("/timer/stop", data=data).status_code == 302
    assert logs(app)[1] == (piano, date(2026, 11, 20), 10, None)
    assert timers(app) == []


def test_the_25_hour_day_needs_confirmation_and_logs_what_fits(
    app, client, user, make_habit, clock
):
    set_timezone(app, user.id, "Europe/Berlin")
    piano = make_habit(user.id, "Piano")
    timer_id = make_timer(app, user.id, piano, datetime(2026, 10, 24, 21, tzinfo=UTC))
    clock(datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    client.post("/timer/stop")
    page = client.get("/timer/stop").get_data(as_text=True)
    assert '<td class="num" data-label="Timed">25h</td>' in page
    data = {"timer_id": timer_id}
    for index, (day, minutes) in enumerate(
        [("2026-10-24", "1h"), ("2026-10-25", "24h"), ("2026-10-26", "30m")]
    ):
        data[f"days-{index}-date"], data[f"days-{index}-minutes"] = day, minutes
    assert client.post("/timer/stop", data=data).status_code == 302
    assert [(day, minutes) for _, day, minutes, _ in logs(app)] == [
        (date(2026, 10, 24), 60),
        (date(2026, 10, 25), 1440),
        (date(2026, 10, 26), 30),
    ]


def test_the_spring_day_splits_into_23_hours(app, client, user, make_habit, clock):
    set_timezone(app, user.id, "Europe/Berlin")
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, datetime(2026, 3, 28, 21, tzinfo=UTC))
    clock(datetime(2026, 3, 29, 23, tzinfo=UTC))
    client.post("/timer/stop")
    page = client.get("/timer/stop").get_data(as_text=True)
    timed = [
        line.split(">")[1].split("<")[0]
        for line in page.splitlines()
        if 'data-label="Timed"' in line
    ]
    assert timed == ["2h", "23h", "1h"]


def test_a_confirmation_for_a_stopped_timer_or_other_days_logs_nothing(
    app, client, user, make_habit, clock
):
    piano = make_habit(user.id, "Piano")
    timer_id = make_timer(app, user.id, piano, NOW - timedelta(hours=13))
    stale = {"timer_id": timer_id + 100, "days-0-date": "2026-11-20", "days-0-minutes": "1h"}
    assert client.post("/timer/stop", data=stale).headers["Location"] == "/timer/stop"
    assert "stopped already" in flashes(client)
    missing_a_day = {"timer_id": timer_id, "days-0-date": "2026-11-20", "days-0-minutes": "1h"}
    assert client.post("/timer/stop", data=missing_a_day).headers["Location"] == "/timer/stop"
    assert "run into another day" in flashes(client)
    assert logs(app) == [] and len(timers(app)) == 1


def test_archiving_a_timed_habit_is_refused_until_the_timer_stops(
    app, client, user, make_habit, clock
):
    from httracker.models import Habit

    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=5))
    response = client.post(f"/habits/{piano}/archive")
    assert response.headers["Location"] == f"/habits/{piano}"
    assert "Piano is being timed: stop or discard its timer first." in flashes(client)
    with app.app_context():
        assert db.session.get(Habit, piano).archived is False
    client.post("/timer/stop")
    client.post(f"/habits/{piano}/archive")
    with app.app_context():
        assert db.session.get(Habit, piano).archived is True
    assert logs(app) == [(piano, date(2026, 11, 20), 5, None)]


def test_a_timed_habit_keeps_its_kind(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=5))
    data = {"name": "Piano", "kind": "check", "target_period": "day", "target_times": "1"}
    response = client.post(f"/habits/{piano}/edit", data=data)
    assert response.status_code == 400
    assert "Piano is being timed: stop its timer first." in response.get_data(as_text=True)


def test_deleting_the_habit_discards_its_timer(app, client, user, make_habit, clock):
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=5))
    assert "Its running timer is discarded" in client.get(f"/habits/{piano}/delete").get_data(
        as_text=True
    )
    assert "Its running timer" not in client.get(f"/habits/{chess}/delete").get_data(as_text=True)
    client.post(f"/habits/{piano}/delete")
    assert timers(app) == [] and logs(app) == []
    assert "running-timer" not in client.get("/dashboard").get_data(as_text=True)


def test_deleting_the_account_removes_its_timer(app, client, make_user, auth, make_habit, clock):
    alice, bob = make_user("alice"), make_user("bob")
    make_timer(app, alice.id, make_habit(alice.id, "Piano"), NOW)
    make_timer(app, bob.id, make_habit(bob.id, "Piano"), NOW)
    auth.login("alice")
    data = {"current_password": PASSWORD, "confirm_username": "alice"}
    assert client.post("/settings/delete", data=data).status_code == 302
    assert [row[0] for row in timers(app)] == [bob.id]


def test_the_services_need_no_request(app, make_user, make_habit):
    """What the API calls: plain values in, typed results out, outside any request."""
    from httracker.changes import RuleBroken
    from httracker.models import Habit
    from httracker.timer import services

    alice = make_user("alice", timezone="America/New_York")
    piano = make_habit(alice.id, "Piano")
    with app.app_context():
        user, habit = db.session.get(User, alice.id), db.session.get(Habit, piano)
        started = services.start_timer(user, habit, NOW, NOW - timedelta(minutes=20), "api")
        assert started.stopped is None and started.timer.started_at == NOW - timedelta(minutes=20)
        db.session.commit()
        plan = services.plan_stop(user, services.running_timer(user), NOW + timedelta(hours=12))
        assert plan.long and plan.needs_confirmation and plan.minutes == 740
        # 11:40 to 23:40 UTC is 06:40 to 18:40 in New York: one day.
        assert [(day.date, day.minutes, day.fits) for day in plan.days] == [
            (date(2026, 11, 20), 740, 1440)
        ]
        with pytest.raises(services.ConfirmationNeeded):
            services.stop_timer(user, NOW + timedelta(hours=12))
        db.session.rollback()
        result = services.stop_timer(user, NOW + timedelta(minutes=10))
        assert [(log.date, log.minutes, log.note) for log in result.logs] == [
            (date(2026, 11, 20), 30, "api")
        ]
        db.session.commit()
        with pytest.raises(RuleBroken, match="No timer is running."):
            services.discard_timer(user)
