"""The timer through the web: start, stop, switch, discard, start in the past, midnight split,
the 12-hour confirmation, a full day, isolation and CSRF. The clock of the timer views is
pinned, so every number is exact."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from httracker.extensions import db
from httracker.models import HabitLog, HabitTimer, User

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def pin_clock(monkeypatch):
    """Pin the timer's clock at NOW; returns `pin(instant)` to move it."""
    from httracker.timer import header, views

    def pin(instant):
        monkeypatch.setattr(views, "utcnow", lambda: instant)
        monkeypatch.setattr(header, "utcnow", lambda: instant)

    pin(NOW)
    return pin


@pytest.fixture
def clock(monkeypatch):
    """The timer's clock, pinned: `clock(instant)`; it starts at NOW."""
    return pin_clock(monkeypatch)


def make_timer(app, user_id, habit_id, started_at, note=None):
    with app.app_context():
        timer = HabitTimer(user_id=user_id, habit_id=habit_id, started_at=started_at, note=note)
        db.session.add(timer)
        db.session.commit()
        return timer.id


def timers(app):
    with app.app_context():
        return [
            (t.user_id, t.habit_id, t.started_at, t.note)
            for t in db.session.scalars(select(HabitTimer).order_by(HabitTimer.id))
        ]


def logs(app, user_id=None):
    with app.app_context():
        query = select(HabitLog).order_by(HabitLog.date, HabitLog.id)
        if user_id is not None:
            query = query.where(HabitLog.user_id == user_id)
        return [
            (log.habit_id, log.date, log.minutes, log.note) for log in db.session.scalars(query)
        ]


def set_timezone(app, user_id, name):
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(timezone=name))
        db.session.commit()


def flashes(client) -> str:
    return client.get("/habits/").get_data(as_text=True)


def test_start_then_stop_logs_the_minutes_with_the_note(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    response = client.post("/timer/start", data={"habit_id": piano, "note": "scales"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert timers(app) == [(user.id, piano, NOW, "scales")]
    assert logs(app) == []
    clock(NOW + timedelta(minutes=25, seconds=29))
    response = client.post("/timer/stop", data={"next": f"/habits/{piano}"})
    assert response.headers["Location"] == f"/habits/{piano}"
    assert logs(app) == [(piano, date(2026, 11, 20), 25, "scales")]
    assert timers(app) == []
    page = flashes(client)
    assert "Started the timer for Piano." in page
    assert "Stopped the timer: logged 25m of Piano." in page


def test_under_thirty_seconds_logs_nothing_and_says_so(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    client.post("/timer/start", data={"habit_id": piano})
    clock(NOW + timedelta(seconds=29))
    client.post("/timer/stop")
    assert logs(app) == [] and timers(app) == []
    assert "after under 30 seconds: nothing logged" in flashes(client)


def test_thirty_seconds_log_one_minute(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(seconds=30))
    client.post("/timer/stop")
    assert logs(app) == [(piano, date(2026, 11, 20), 1, None)]


def test_starting_another_habit_stops_and_logs_the_running_one(
    app, client, user, make_habit, clock
):
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=40))
    response = client.post("/timer/start", data={"habit_id": chess})
    assert response.status_code == 302
    assert logs(app) == [(piano, date(2026, 11, 20), 40, None)]
    assert timers(app) == [(user.id, chess, NOW, None)]
    page = flashes(client)
    assert "Stopped the timer: logged 40m of Piano." in page
    assert "Started the timer for Chess." in page


def test_a_switch_started_in_the_past_ends_the_running_timer_there(
    app, client, user, make_habit, clock
):
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=60))
    client.post("/timer/start", data={"habit_id": chess, "started": "15m ago"})
    assert logs(app) == [(piano, date(2026, 11, 20), 45, None)]
    assert timers(app) == [(user.id, chess, NOW - timedelta(minutes=15), None)]


@pytest.mark.parametrize(
    ("zone", "ran", "started", "since"),
    [
        ("UTC", timedelta(minutes=40), "1h ago", "11:20 (UTC)"),
        ("Europe/Berlin", timedelta(minutes=40), "10:00", "12:20 (Europe/Berlin)"),
        # Started yesterday in Tokyo, and long enough ago to need a confirmation: the start
        # is refused before any stop is tried.
        (
            "Asia/Tokyo",
            timedelta(hours=21, minutes=30),
            "22h ago",
            "Thu 19 Nov, 23:30 (Asia/Tokyo)",
        ),
    ],
)
def test_a_switch_started_before_the_running_timer_is_refused_inline(
    app, client, user, make_habit, clock, zone, ran, started, since
):
    set_timezone(app, user.id, zone)
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_timer(app, user.id, piano, NOW - ran, "scales")
    before = timers(app)
    response = client.post("/timer/start", data={"habit_id": chess, "started": started})
    assert response.status_code == 400
    message = f"The timer of Piano started at {since}: start Chess then or later."
    assert f'<p class="error" id="started-error">{message}</p>' in response.get_data(as_text=True)
    assert timers(app) == before and logs(app) == []
    assert "Stopped the timer" not in flashes(client)


@pytest.mark.parametrize(
    ("ran", "logged", "reason"),
    [
        (timedelta(hours=12, minutes=1), [], "ran over 12 hours"),
        (timedelta(minutes=30), [(date(2026, 11, 20), 1430, None)], "does not fit in a day"),
    ],
)
def test_a_switch_while_the_running_timer_needs_confirmation_changes_nothing(
    app, client, user, make_habit, clock, ran, logged, reason
):
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_habit(user.id, "Sleep", logs=logged)
    make_timer(app, user.id, piano, NOW - ran, "scales")
    before_timers, before_logs = timers(app), logs(app)
    response = client.post("/timer/start", data={"habit_id": chess, "next": "/habits/"})
    assert response.status_code == 302 and response.headers["Location"] == "/timer/stop"
    assert timers(app) == before_timers and logs(app) == before_logs
    page = flashes(client)
    assert f"The timer of Piano {reason}: confirm its minutes. Then start Chess." in page
    assert "Started the timer" not in page and "Stopped the timer" not in page


def test_a_switch_at_the_running_timers_own_start_is_accepted(app, client, user, make_habit, clock):
    piano, chess = make_habit(user.id, "Piano"), make_habit(user.id, "Chess")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=40))
    response = client.post("/timer/start", data={"habit_id": chess, "started": "40m ago"})
    assert response.status_code == 302
    # Piano ran for no time: nothing logged, and the flash says so.
    assert timers(app) == [(user.id, chess, NOW - timedelta(minutes=40), None)]
    assert logs(app) == []
    assert "Stopped the timer of Piano after under 30 seconds: nothing logged." in flashes(client)


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("10 min ago", NOW - timedelta(minutes=10)),
        ("1h30", NOW - timedelta(minutes=90)),
        ("09:15", datetime(2026, 11, 20, 8, 15, tzinfo=UTC)),  # Berlin is UTC+1 in November
    ],
)
def test_start_in_the_past(app, client, user, make_habit, clock, started, expected):
    set_timezone(app, user.id, "Europe/Berlin")
    piano = make_habit(user.id, "Piano")
    assert (
        client.post("/timer/start", data={"habit_id": piano, "started": started}).status_code == 302
    )
    assert timers(app) == [(user.id, piano, expected, None)]
    client.post("/timer/stop")
    minutes = int((NOW - expected).total_seconds() // 60)
    assert logs(app) == [(piano, date(2026, 11, 20), minutes, None)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"started": "13:30"}, "still to come"),
        ({"started": "2 days"}, "Say when you started"),
        ({"started": "25h ago"}, "at most 24 hours ago"),
        ({"note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_a_start_that_breaks_a_rule_is_refused_inline(
    app, client, user, make_habit, clock, data, message
):
    piano = make_habit(user.id, "Piano")
    response = client.post("/timer/start", data={"habit_id": piano, **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert timers(app) == []


def test_check_habits_and_archived_habits_cannot_be_timed(app, client, user, make_habit, clock):
    meds = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    old = make_habit(user.id, "Old", archived=True)
    response = client.post("/timer/start", data={"habit_id": meds})
    assert response.status_code == 400 and "checked off, not timed" in response.get_data(
        as_text=True
    )
    response = client.post("/timer/start", data={"habit_id": old})
    assert response.status_code == 400 and "Old is archived" in response.get_data(as_text=True)
    assert timers(app) == []


def test_discard_ends_the_timer_without_a_log(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=50))
    assert client.post("/timer/discard").status_code == 302
    assert timers(app) == [] and logs(app) == []
    assert "Discarded the timer of Piano: nothing logged." in flashes(client)


@pytest.mark.parametrize("path", ["/timer/stop", "/timer/discard"])
def test_stop_or_discard_without_a_timer_says_so(app, client, user, path):
    assert client.post(path).status_code == 302
    assert "No timer is running." in flashes(client)


def test_the_header_shows_the_timer_on_every_page(app, client, user, make_habit, clock):
    set_timezone(app, user.id, "Asia/Tokyo")
    piano = make_habit(user.id, "Piano")
    for path in ("/dashboard", "/habits/", "/logs/", "/analytics/", "/settings/"):
        assert "running-timer" not in client.get(path).get_data(as_text=True)
    make_timer(app, user.id, piano, datetime(2026, 11, 19, 22, 30, tzinfo=UTC))
    clock(datetime(2026, 11, 20, 16, tzinfo=UTC))  # 01:00 on the 21st in Tokyo
    for path in (
        "/dashboard",
        "/habits/",
        f"/habits/{piano}",
        "/logs/",
        "/analytics/",
        "/settings/",
    ):
        page = client.get(path).get_data(as_text=True)
        assert 'class="timer-habit habit-name"' in page and ">Piano</a>" in page, path
        # The start in the user's zone, with its day when that is not today.
        assert '<time datetime="2026-11-19T22:30:00+00:00">Fri 20 Nov, 07:30</time>' in page
        assert 'data-timer-elapsed="63000"' in page and ">17:30:00</span>" in page
        assert 'action="/timer/stop"' in page
    assert f'<input type="hidden" name="next" value="/habits/{piano}">' in client.get(
        f"/habits/{piano}"
    ).get_data(as_text=True)


def test_the_header_timer_wears_its_habits_colour(app, client, user, make_habit, clock):
    from httracker.models import Habit

    piano = make_habit(user.id, "Piano")
    make_timer(app, user.id, piano, NOW - timedelta(minutes=5))
    for colour in ("pink", "orange"):
        with app.app_context():
            db.session.execute(update(Habit).where(Habit.id == piano).values(colour=colour))
            db.session.commit()
        for path in ("/dashboard", "/logs/", "/settings/"):
            page = client.get(path).get_data(as_text=True)
            assert f'<div class="running-timer hc-{colour}" aria-label="Running timer"' in page


def test_start_buttons_on_the_dashboard_and_habit_page(app, client, user, make_habit, clock):
    piano = make_habit(user.id, "Piano")
    meds = make_habit(user.id, "Meds", kinds={"kind": "check", "times": 1})
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f'name="habit_id" value="{piano}"' in dashboard
    assert f'name="habit_id" value="{meds}"' not in dashboard
    assert "Start timer" in client.get(f"/habits/{piano}").get_data(as_text=True)
    assert "Start timer" not in client.get(f"/habits/{meds}").get_data(as_text=True)
    client.post("/timer/start", data={"habit_id": piano})
    assert "Stop timer" in client.get(f"/habits/{piano}").get_data(as_text=True)
    # The quick log keeps working for typed minutes while a timer runs.
    assert client.post(f"/habits/{piano}/log", data={"minutes": "15"}).status_code == 302


def test_another_users_habit_is_a_404_and_timers_stay_apart(
    app, client, make_user, auth, make_habit, clock
):
    alice, bob = make_user("alice"), make_user("bob")
    mine, theirs = make_habit(alice.id, "Piano"), make_habit(bob.id, "Secret")
    make_timer(app, bob.id, theirs, NOW - timedelta(minutes=20))
    auth.login("alice")
    before = timers(app)
    for habit_id in (theirs, 987654, "x", ""):
        assert client.post("/timer/start", data={"habit_id": habit_id}).status_code == 404
    assert timers(app) == before
    page = client.get("/dashboard").get_data(as_text=True)
    assert "running-timer" not in page and "Secret" not in page
    client.post("/timer/stop")
    client.post("/timer/discard")
    assert timers(app) == before and logs(app) == []
    client.post("/timer/start", data={"habit_id": mine})
    assert sorted(timers(app)) == sorted([*before, (alice.id, mine, NOW, None)])


def test_the_database_keeps_a_timer_with_its_owners_habit_and_one_per_user(
    app, make_user, make_habit
):
    from sqlalchemy.exc import IntegrityError

    alice, bob = make_user("alice"), make_user("bob")
    piano = make_habit(alice.id, "Piano")
    with app.app_context():
        db.session.add(HabitTimer(user_id=bob.id, habit_id=piano, started_at=NOW))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(HabitTimer(user_id=alice.id, habit_id=piano, started_at=NOW))
        db.session.commit()
        db.session.add(HabitTimer(user_id=alice.id, habit_id=piano, started_at=NOW))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/timer/start", True),
        ("/timer/stop", True),  # the confirmed stop
        ("/timer/stop", False),  # the one-click Stop button, which sends no fields
        ("/timer/discard", True),
    ],
)
def test_timer_posts_need_a_csrf_token(app, client, user, make_habit, monkeypatch, path, fields):
    piano = make_habit(user.id, "Piano")
    timer_id = make_timer(app, user.id, piano, datetime.now(UTC) - timedelta(minutes=5))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = timers(app)
    data = {"habit_id": piano, "timer_id": timer_id, "days-0-date": "2026-11-20"}
    response = client.post(path, data=data if fields else {})
    assert response.status_code == 400
    assert timers(app) == before and logs(app) == []
