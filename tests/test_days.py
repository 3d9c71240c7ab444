"""Checking a habit off and skipping days by POST: today by default in the user's zone, the
date rules of logs for checks, a year ahead for skips, 400 with the reason and nothing written
for bad input, 404 for someone else's habit."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.models import HabitCheck, HabitSkip
from httracker.timeutil import today_in

from .conftest import PASSWORD

# 14 hours ahead of UTC and 11 behind: at any moment one of them has another date than UTC.
FAR_EAST = "Pacific/Kiritimati"
FAR_WEST = "Pacific/Pago_Pago"


@pytest.fixture
def habits(app, make_user, make_habit, auth):
    """Alice (logged in, far east) with a check habit, a time habit and an archived check habit."""
    alice = make_user("alice", timezone=FAR_EAST)
    auth.login("alice")
    auth.client.get("/dashboard")  # shows (and so clears) the login message
    return {
        "user_id": alice.id,
        "check": make_habit(alice.id, "Stretch", kinds={"kind": "check"}),
        "time": make_habit(alice.id, "Reading", target_minutes=30),
        "archived": make_habit(alice.id, "Old", archived=True, kinds={"kind": "check"}),
    }


def rows(app, model, habit_id=None):
    """(date, note) of every entry of `model`, or of one habit's."""
    with app.app_context():
        query = select(model.date, model.note).order_by(model.date)
        if habit_id is not None:
            query = query.where(model.habit_id == habit_id)
        return [tuple(row) for row in db.session.execute(query)]


def entry_count(app) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (HabitCheck, HabitSkip)
        )


def flash_of(client) -> str:
    return client.get("/settings/").get_data(as_text=True)


def test_check_defaults_to_today_in_the_users_zone(client, app, habits, make_user, make_habit):
    response = client.post(f"/habits/{habits['check']}/check")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/habits/{habits['check']}"
    today = today_in(FAR_EAST)
    assert rows(app, HabitCheck) == [(today, None)]
    assert f"Checked Stretch on {readable_date(today)}." in flash_of(client)
    # At any moment the far east or the far west has another date than UTC.
    west = make_user("wes", timezone=FAR_WEST)
    habit_id = make_habit(west.id, "Stretch", kinds={"kind": "check"})
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": "wes", "password": PASSWORD})
    assert client.post(f"/habits/{habit_id}/check").status_code == 302
    assert rows(app, HabitCheck, habit_id) == [(today_in(FAR_WEST), None)]


def test_checking_a_checked_day_again_changes_nothing(client, app, habits):
    day = today_in(FAR_EAST) - timedelta(days=3)
    data = {"date": day.isoformat(), "note": "  Morning  "}
    assert client.post(f"/habits/{habits['check']}/check", data=data).status_code == 302
    again = client.post(f"/habits/{habits['check']}/check", data={**data, "note": "other"})
    assert again.status_code == 302
    assert rows(app, HabitCheck) == [(day, "Morning")]
    assert f"Stretch was already checked on {readable_date(day)}." in flash_of(client)


def test_uncheck_takes_the_check_back_and_an_unchecked_day_is_a_no_op(client, app, habits):
    day = today_in(FAR_EAST) - timedelta(days=1)
    client.post(f"/habits/{habits['check']}/check", data={"date": day.isoformat()})
    response = client.post(f"/habits/{habits['check']}/uncheck", data={"date": day.isoformat()})
    assert response.status_code == 302
    assert rows(app, HabitCheck) == []
    assert f"Took back the check of Stretch on {readable_date(day)}." in flash_of(client)
    again = client.post(f"/habits/{habits['check']}/uncheck", data={"date": day.isoformat()})
    assert again.status_code == 302
    assert f"Stretch was not checked on {readable_date(day)}." in flash_of(client)


@pytest.mark.parametrize(
    ("habit", "route", "day", "message"),
    [
        ("time", "check", 0, "Reading counts minutes: log time instead of checking it."),
        ("time", "uncheck", 0, "Reading counts minutes: log time instead of checking it."),
        ("check", "check", 1, "That day is in the future in your time zone."),
        ("check", "check", date(1999, 12, 31), "Dates start on 2000-01-01."),
        ("check", "uncheck", date(1999, 12, 31), "Dates start on 2000-01-01."),
        ("check", "check", "2024-02-30", "Not a valid date value."),
        ("check", "skip", 366, "Plan at most a year ahead."),
        ("time", "skip", date(1999, 12, 31), "Dates start on 2000-01-01."),
        ("time", "unskip", 400, "Plan at most a year ahead."),
        ("time", "skip", "tomorrow", "Not a valid date value."),
        ("archived", "check", 0, "Old is archived: restore it first."),
        ("archived", "skip", 0, "Old is archived: restore it first."),
    ],
)
def test_bad_days_are_a_400_with_the_reason_and_nothing_written(
    client, app, habits, habit, route, day, message
):
    if isinstance(day, int):
        day = today_in(FAR_EAST) + timedelta(days=day)
    value = day.isoformat() if isinstance(day, date) else day
    response = client.post(
        f"/habits/{habits[habit]}/{route}",
        data={"date": value, "next": "/logs/?entry=check"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nothing was changed." in page
    assert 'href="/logs/?entry=check"' in page  # the way back
    assert entry_count(app) == 0


def test_a_note_over_the_limit_is_refused(client, app, habits):
    response = client.post(f"/habits/{habits['check']}/check", data={"note": "x" * 501})
    assert response.status_code == 400
    assert "Use at most 500 characters." in response.get_data(as_text=True)
    assert entry_count(app) == 0


def test_skip_a_day_up_to_a_year_ahead_and_take_it_back(client, app, habits):
    ahead = today_in(FAR_EAST) + timedelta(days=365)
    for habit in ("check", "time"):
        response = client.post(
            f"/habits/{habits[habit]}/skip", data={"date": ahead.isoformat(), "note": "Holiday"}
        )
        assert response.status_code == 302
    assert rows(app, HabitSkip) == [(ahead, "Holiday"), (ahead, "Holiday")]
    assert f"Skipped Reading on {readable_date(ahead)}." in flash_of(client)
    client.post(f"/habits/{habits['time']}/skip", data={"date": ahead.isoformat()})
    assert f"Reading was already skipped on {readable_date(ahead)}." in flash_of(client)
    assert len(rows(app, HabitSkip)) == 2
    response = client.post(f"/habits/{habits['time']}/unskip", data={"date": ahead.isoformat()})
    assert response.status_code == 302
    assert rows(app, HabitSkip, habits["time"]) == []
    assert rows(app, HabitSkip, habits["check"]) == [(ahead, "Holiday")]
    assert f"Reading on {readable_date(ahead)} is no longer skipped." in flash_of(client)


def test_skip_defaults_to_today(client, app, habits):
    assert client.post(f"/habits/{habits['time']}/skip").status_code == 302
    assert rows(app, HabitSkip) == [(today_in(FAR_EAST), None)]


def test_undoing_works_on_archived_habits(client, app, habits, make_habit):
    day = today_in(FAR_EAST) - timedelta(days=2)
    with app.app_context():
        for model in (HabitCheck, HabitSkip):
            db.session.add(model(user_id=habits["user_id"], habit_id=habits["archived"], date=day))
        db.session.commit()
    for route in ("uncheck", "unskip"):
        response = client.post(f"/habits/{habits['archived']}/{route}", data={"date": str(day)})
        assert response.status_code == 302
    assert entry_count(app) == 0


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/logs/?entry=check&page=2", "/logs/?entry=check&page=2"),
        ("//evil.example/", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
    ],
)
def test_redirects_go_to_a_safe_next_only(client, habits, next_url, location):
    response = client.post(f"/habits/{habits['check']}/check", data={"next": next_url})
    assert response.headers["Location"] == (location or f"/habits/{habits['check']}")


@pytest.mark.parametrize("route", ["check", "uncheck", "skip", "unskip"])
def test_someone_elses_habit_is_a_404_and_nothing_is_written(
    client, app, habits, make_user, make_habit, route
):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Secret", kinds={"kind": "check"})
    day = today_in("UTC") - timedelta(days=1)
    if route.startswith("un"):
        with app.app_context():
            model = HabitCheck if route == "uncheck" else HabitSkip
            db.session.add(model(user_id=bob.id, habit_id=bobs, date=day))
            db.session.commit()
    before = entry_count(app)
    response = client.post(f"/habits/{bobs}/{route}", data={"date": day.isoformat()})
    assert response.status_code == 404
    assert b"Secret" not in response.data
    assert entry_count(app) == before


def test_the_routes_need_a_login(client, app, make_user, make_habit):
    alice = make_user("alice")
    habit_id = make_habit(alice.id, "Stretch", kinds={"kind": "check"})
    for route in ("check", "uncheck", "skip", "unskip"):
        response = client.post(f"/habits/{habit_id}/{route}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    assert entry_count(app) == 0


def test_get_is_not_allowed(client, habits):
    for route in ("check", "uncheck", "skip", "unskip"):
        assert client.get(f"/habits/{habits['check']}/{route}").status_code == 405
