"""The day page /habits/<id>/days/<YYYY-MM-DD>: each change through the same services, its
flash, the way back to the dashboard, and what it refuses."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.mail.tokens import password_fingerprint, sign
from httracker.models import HabitCheck, HabitLog, HabitSkip, User
from httracker.timeutil import today_in

TODAY = today_in("UTC")
YESTERDAY = TODAY - timedelta(days=1)


def day_url(habit_id, day=YESTERDAY):
    return f"/habits/{habit_id}/days/{day.isoformat()}"


def rows(app, model):
    with app.app_context():
        return [
            (row.habit_id, row.date, getattr(row, "minutes", None), row.note)
            for row in db.session.scalars(select(model).order_by(model.id))
        ]


@pytest.fixture
def habits(user, make_habit):
    return {
        "time": make_habit(user.id, "Reading", target_minutes=60),
        "check": make_habit(user.id, "Stretch", kinds={"kind": "check"}),
    }


def test_the_page_shows_the_day_and_its_forms(client, habits):
    page = client.get(day_url(habits["time"])).get_data(as_text=True)
    assert f'<time datetime="{YESTERDAY.isoformat()}">' in page
    assert 'name="action" value="log"' in page and 'name="action" value="skip"' in page
    page = client.get(day_url(habits["check"])).get_data(as_text=True)
    assert 'name="action" value="check"' in page and 'value="log"' not in page


def test_logging_minutes_in_any_accepted_form_returns_to_the_dashboard(client, app, habits):
    response = client.post(
        day_url(habits["time"]), data={"action": "log", "minutes": "1.5h", "note": " ok "}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard#habit-{habits['time']}"
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 90, "ok")]
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"Logged 1h 30m of Reading on {readable_date(YESTERDAY)}." in page


def test_correcting_and_deleting_a_log_of_the_day(client, app, habits, make_log, user):
    log_id = make_log(user.id, habits["time"], YESTERDAY, 30, "first")
    client.post(
        day_url(habits["time"]), data={"action": "correct", "log_id": log_id, "minutes": "45"}
    )
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 45, "first")]
    assert "Changed the log of Reading on" in client.get("/dashboard").get_data(as_text=True)
    client.post(day_url(habits["time"]), data={"action": "delete", "log_id": log_id})
    assert rows(app, HabitLog) == []
    assert f"Deleted the log of 45m of Reading on {readable_date(YESTERDAY)}." in client.get(
        "/dashboard"
    ).get_data(as_text=True)


def test_a_log_of_another_day_cannot_be_changed_from_this_one(client, app, habits, make_log, user):
    log_id = make_log(user.id, habits["time"], TODAY, 30)
    response = client.post(day_url(habits["time"]), data={"action": "delete", "log_id": log_id})
    assert response.status_code == 400
    assert "Choose one of this day&#39;s logs." in response.get_data(as_text=True)
    assert len(rows(app, HabitLog)) == 1


@pytest.mark.parametrize(
    ("action", "model", "first", "again"),
    [
        ("check", HabitCheck, "Checked Stretch on {day}.", "Stretch was already checked on {day}."),
        ("skip", HabitSkip, "Skipped Stretch on {day}.", "Stretch was already skipped on {day}."),
    ],
)
def test_check_and_skip_then_take_back_each_with_its_flash(
    client, app, habits, action, model, first, again
):
    url, day = day_url(habits["check"]), readable_date(YESTERDAY)
    client.post(url, data={"action": action, "note": "n"})
    assert rows(app, model) == [(habits["check"], YESTERDAY, None, "n")]
    assert first.format(day=day) in client.get("/dashboard").get_data(as_text=True)
    client.post(url, data={"action": action})
    assert again.format(day=day) in client.get("/dashboard").get_data(as_text=True)
    client.post(url, data={"action": "un" + action})
    assert rows(app, model) == []
    taken_back = {
        "check": f"Took back the check of Stretch on {day}.",
        "skip": f"Stretch on {day} is no longer skipped.",
    }[action]
    assert taken_back in client.get("/dashboard").get_data(as_text=True)
    client.post(url, data={"action": "un" + action})
    not_there = {
        "check": f"Stretch was not checked on {day}.",
        "skip": f"Stretch was not skipped on {day}.",
    }[action]
    assert not_there in client.get("/dashboard").get_data(as_text=True)


def test_a_correction_sets_keeps_or_clears_the_logs_note(client, app, habits, make_log, user):
    log_id = make_log(user.id, habits["time"], YESTERDAY, 30, "first")
    page = client.get(day_url(habits["time"])).get_data(as_text=True)
    assert f'id="note-correct-{log_id}"' in page and ">first</textarea>" in page
    assert f'id="minutes-correct-{log_id}"' in page and 'value="30m"' in page
    url = day_url(habits["time"])
    client.post(
        url, data={"action": "correct", "log_id": log_id, "minutes": "30m", "note": " new "}
    )
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 30, "new")]
    assert "Changed the log of Reading on" in client.get("/dashboard").get_data(as_text=True)
    client.post(url, data={"action": "correct", "log_id": log_id, "minutes": "40"})
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 40, "new")]
    client.post(url, data={"action": "correct", "log_id": log_id, "minutes": "40", "note": " "})
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 40, None)]


@pytest.mark.parametrize(
    ("kind", "action", "model", "saved", "missing"),
    [
        ("check", "check", HabitCheck, "Saved the note of Stretch on {day}.", "not checked"),
        (
            "check",
            "skip",
            HabitSkip,
            "Saved the note of the skip of Stretch on {day}.",
            "not skipped",
        ),
        (
            "time",
            "skip",
            HabitSkip,
            "Saved the note of the skip of Reading on {day}.",
            "not skipped",
        ),
    ],
)
def test_the_note_of_a_check_or_skip_is_set_and_cleared(
    client, app, habits, kind, action, model, saved, missing
):
    url, day, name = day_url(habits[kind]), readable_date(YESTERDAY), model.__name__
    response = client.post(url, data={"action": f"{action}_note", "note": "late"})
    assert response.status_code == 302
    assert f"was {missing} on {day}." in client.get("/dashboard").get_data(as_text=True)
    assert rows(app, model) == [], name
    client.post(url, data={"action": action})
    page = client.get(url).get_data(as_text=True)
    assert f'name="action" value="{action}_note"' in page
    client.post(url, data={"action": f"{action}_note", "note": " after dinner "})
    assert rows(app, model) == [(habits[kind], YESTERDAY, None, "after dinner")]
    assert saved.format(day=day) in client.get("/dashboard").get_data(as_text=True)
    assert ">after dinner</textarea>" in client.get(url).get_data(as_text=True)
    client.post(url, data={"action": f"{action}_note", "note": ""})
    assert rows(app, model) == [(habits[kind], YESTERDAY, None, None)]


def test_a_note_too_long_is_refused_inline_and_changes_nothing(client, app, habits, make_log, user):
    log_id = make_log(user.id, habits["time"], YESTERDAY, 30, "first")
    client.post(day_url(habits["check"]), data={"action": "check", "note": "kept"})
    long = "x" * 501
    response = client.post(day_url(habits["check"]), data={"action": "check_note", "note": long})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use at most 500 characters." in page and 'aria-invalid="true"' in page
    response = client.post(
        day_url(habits["time"]),
        data={"action": "correct", "log_id": log_id, "minutes": "30", "note": long},
    )
    assert response.status_code == 400
    assert rows(app, HabitCheck) == [(habits["check"], YESTERDAY, None, "kept")]
    assert rows(app, HabitLog) == [(habits["time"], YESTERDAY, 30, "first")]


def test_another_users_notes_are_out_of_reach(client, app, make_user, make_habit, make_log, habits):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Secret", kinds={"kind": "check"})
    bobs_time = make_habit(bob.id, "Hidden")
    bobs_log = make_log(bob.id, bobs_time, YESTERDAY, 20, "his")
    with app.app_context():
        db.session.add(HabitCheck(user_id=bob.id, habit_id=bobs, date=YESTERDAY, note="his"))
        db.session.commit()
    response = client.post(day_url(bobs), data={"action": "check_note", "note": "mine"})
    assert response.status_code == 404
    response = client.post(day_url(bobs_time), data={"action": "skip_note", "note": "mine"})
    assert response.status_code == 404
    # His log's id on my habit's day is not one of this day's logs.
    response = client.post(
        day_url(habits["time"]),
        data={"action": "correct", "log_id": bobs_log, "minutes": "20", "note": "mine"},
    )
    assert response.status_code == 400
    assert rows(app, HabitCheck) == [(bobs, YESTERDAY, None, "his")]
    assert rows(app, HabitLog) == [(bobs_time, YESTERDAY, 20, "his")]


def test_changing_a_note_needs_a_csrf_token(client, app, habits, monkeypatch):
    client.post(day_url(habits["check"]), data={"action": "check", "note": "kept"})
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(day_url(habits["check"])).get_data(as_text=True)
    assert page.count('name="csrf_token"') == page.count('<form method="post"')
    response = client.post(day_url(habits["check"]), data={"action": "check_note", "note": "x"})
    assert response.status_code == 400
    assert rows(app, HabitCheck) == [(habits["check"], YESTERDAY, None, "kept")]


def test_the_day_limit_is_the_same_as_everywhere(client, app, habits, make_habit, user):
    other = make_habit(user.id, "Work", logs=[(YESTERDAY, 1400, None)])
    response = client.post(day_url(habits["time"]), data={"action": "log", "minutes": "1h"})
    assert response.status_code == 400
    assert f"A day has 24h: 40m left to log on {readable_date(YESTERDAY)}." in response.get_data(
        as_text=True
    )
    assert [row[0] for row in rows(app, HabitLog)] == [other]


@pytest.mark.parametrize("minutes", ["", "soon", "0", "25h"])
def test_bad_minutes_are_refused_inline_with_a_hint(client, app, habits, minutes):
    response = client.post(day_url(habits["time"]), data={"action": "log", "minutes": minutes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert "This field is required" not in page
    if not minutes:
        assert "Type how long, such as 90, 1:30" in page
    assert rows(app, HabitLog) == []


@pytest.mark.parametrize(
    "day", ["2026-02-30", "2026-13-01", "yesterday", "20261120", "1999-12-31", "2026-1-2"]
)
def test_bad_dates_are_not_pages(client, habits, day):
    assert client.get(f"/habits/{habits['time']}/days/{day}").status_code == 404
    assert (
        client.post(f"/habits/{habits['time']}/days/{day}", data={"action": "skip"}).status_code
        == 404
    )


def test_a_day_more_than_a_year_ahead_is_not_a_page(client, habits):
    assert client.get(day_url(habits["time"], TODAY + timedelta(days=366))).status_code == 404


def test_a_future_day_takes_a_skip_but_no_minutes_or_check(client, app, habits):
    tomorrow = TODAY + timedelta(days=1)
    page = client.get(day_url(habits["check"], tomorrow)).get_data(as_text=True)
    assert 'value="skip"' in page and 'value="check"' not in page
    response = client.post(day_url(habits["check"], tomorrow), data={"action": "check"})
    assert response.status_code == 400
    assert "That day is in the future in your time zone." in response.get_data(as_text=True)
    response = client.post(
        day_url(habits["time"], tomorrow), data={"action": "log", "minutes": "5"}
    )
    assert response.status_code == 400
    assert (
        client.post(day_url(habits["check"], tomorrow), data={"action": "skip"}).status_code == 302
    )
    assert rows(app, HabitSkip) == [(habits["check"], tomorrow, None, None)]


def test_wrong_kind_and_unknown_actions_are_refused(client, app, habits):
    response = client.post(day_url(habits["check"]), data={"action": "log", "minutes": "5"})
    assert response.status_code == 400
    assert "Stretch is checked off, not timed" in response.get_data(as_text=True)
    assert client.post(day_url(habits["time"]), data={"action": "check"}).status_code == 400
    assert client.post(day_url(habits["time"]), data={"action": "explode"}).status_code == 400
    assert rows(app, HabitLog) == rows(app, HabitCheck) == []


def test_an_archived_habit_takes_no_new_entries(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Old", archived=True)
    response = client.post(day_url(habit_id), data={"action": "skip"})
    assert response.status_code == 400
    assert "Old is archived: restore it first." in response.get_data(as_text=True)


def test_another_users_habit_is_a_404(client, app, make_user, make_habit, habits):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Secret", kinds={"kind": "check"})
    assert client.get(day_url(bobs)).status_code == 404
    assert client.post(day_url(bobs), data={"action": "check"}).status_code == 404
    assert rows(app, HabitCheck) == []


def test_the_day_page_needs_a_csrf_token(client, app, habits, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(day_url(habits["check"]), data={"action": "check"})
    assert response.status_code == 400
    assert rows(app, HabitCheck) == []


def test_a_safe_next_is_honoured_and_an_unsafe_one_ignored(client, habits):
    url = day_url(habits["check"])
    response = client.post(url, data={"action": "skip", "next": "/habits/"})
    assert response.headers["Location"] == "/habits/"
    response = client.post(url, data={"action": "unskip", "next": "https://evil.example/"})
    assert response.headers["Location"].startswith("/dashboard")


def test_logging_out_guards_the_page(client, habits, auth):
    auth.logout()
    assert client.get(day_url(habits["time"])).status_code == 302


def test_the_utc_notice_shows_once_per_login_and_not_for_a_chosen_zone(client, app, user, auth):
    first = client.get("/dashboard").get_data(as_text=True)
    assert "Your account is on <strong>UTC</strong>" in first
    assert 'href="/settings/preferences"' in first
    assert "Your account is on" not in client.get("/dashboard").get_data(as_text=True)
    client.post("/settings/preferences", data={"timezone": "Asia/Tokyo", "week_start": "monday"})
    auth.logout()
    auth.login()
    assert "Your account is on" not in client.get("/dashboard").get_data(as_text=True)


def test_registration_takes_the_zone_offered_by_region(client, app):
    page = client.get("/auth/register").get_data(as_text=True)
    assert '<optgroup label="Asia">' in page and '<option value="Asia/Tokyo">Tokyo</option>' in page
    assert 'data-detect-timezone=""' in page
    assert 'autocomplete="new-password"' in page
    data = {
        "username": "tokyo",
        "email": "tokyo@example.com",
        "password": "a much longer passphrase",
        "confirm": "a much longer passphrase",
        "timezone": "Asia/Tokyo",
    }
    assert "data-chosen" not in page
    response = client.post("/auth/register", data={**data, "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    # A form that comes back keeps the zone that was sent: the script must not detect one.
    response = client.post("/auth/register", data={**data, "confirm": "another passphrase"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-chosen="true"' in page
    assert '<option selected value="Asia/Tokyo">Tokyo</option>' in page
    assert client.post("/auth/register", data=data).status_code == 302
    from httracker.models import User

    with app.app_context():
        assert db.session.scalar(select(User.timezone).where(User.username == "tokyo")) == (
            "Asia/Tokyo"
        )
    assert "Your account is on" not in client.get("/dashboard").get_data(as_text=True)


def password_inputs(page: str) -> list[str]:
    return re.findall(r'<input[^>]*type="password"[^>]*>', page)


def test_login_and_password_fields_tell_password_managers_what_they_are(
    app, client, make_user, auth, mail_on
):
    alice = make_user("alice")
    login = client.get("/auth/login").get_data(as_text=True)
    assert 'autocomplete="current-password"' in login
    with app.app_context():
        user = db.session.get(User, alice.id)
        token = sign("reset", {"u": user.id, "p": password_fingerprint(user.password_hash)})
    reset = client.get(f"/auth/reset/{token}").get_data(as_text=True)
    fields = password_inputs(reset)
    assert len(fields) == 2
    assert all('autocomplete="new-password"' in field for field in fields)
    auth.login()
    page = client.get("/settings/").get_data(as_text=True)
    # The password change, the email change, account deletion and adding a passkey.
    assert page.count('autocomplete="current-password"') == 4
    assert page.count('autocomplete="new-password"') == 2
    # With two-factor on, its forms ask for the current password too.
    with app.app_context():
        db.session.get(User, alice.id).totp_secret = pyotp.random_base32()
        db.session.commit()
    page = client.get("/settings/").get_data(as_text=True)
    assert "Make new recovery codes" in page and "Turn off" in page
    fields = password_inputs(page)
    assert len(fields) == 8
    assert all(re.search(r'autocomplete="(current|new)-password"', field) for field in fields)
    assert page.count('autocomplete="current-password"') == 6
