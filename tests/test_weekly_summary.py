"""The weekly summary: opted into on the preferences page, queued on the morning of the user's
first weekday with last week's totals, targets and streaks, once a week, and unsubscribed in
one click."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.mail.delivery import deliver
from httracker.mail.summary import send_summaries
from httracker.models import HabitCheck, HabitLog, HabitSkip, User

from .smtp import html_of, text_of

MONDAY = date(2026, 3, 16)  # the week summed up runs from 9 to 15 March
LAST_WEEK = [MONDAY - timedelta(days=n) for n in range(7, 0, -1)]


@pytest.fixture
def client(app):
    """A plain client: pytest-flask's keeps its last context, which other clients would share."""
    return app.test_client()


@pytest.fixture
def summarise(app, clock):
    def run(now) -> int:
        clock.set(now)
        with app.app_context():
            queued = send_summaries(now)
            db.session.commit()
            return queued

    return run


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def opt_in(client, timezone="Europe/Berlin", week_start="monday"):
    data = {"timezone": timezone, "week_start": week_start, "weekly_summary": "y"}
    return client.post("/settings/preferences", data=data)


@pytest.fixture
def alice(app, mail_on, make_user, make_habit, auth):
    """Alice in Berlin, opted in, with a week of entries."""
    alice = make_user("alice", email_verified=True)
    auth.login()
    page = auth.client.get("/settings/preferences")
    assert b"Email me a summary of my week" in page.data
    assert opt_in(auth.client).status_code == 302
    reading = make_habit(alice.id, "Reading", target_minutes=30)
    weekly = make_habit(alice.id, "Gym", target_period="week", kinds={"kind": "check", "times": 3})
    stretch = make_habit(alice.id, "Stretch", kinds={"kind": "check", "times": 1})
    with app.app_context():
        monday, tuesday, wednesday, thursday = LAST_WEEK[:4]
        for day, minutes in ((monday, 40), (tuesday, 10), (wednesday, 30)):
            db.session.add(HabitLog(user_id=alice.id, habit_id=reading, date=day, minutes=minutes))
        db.session.add(HabitSkip(user_id=alice.id, habit_id=reading, date=thursday))
        for day in (monday, wednesday):
            db.session.add(HabitCheck(user_id=alice.id, habit_id=weekly, date=day))
        # Stretch every day of the week and the two days before it: a streak of 9.
        for day in [LAST_WEEK[0] - timedelta(days=n) for n in (2, 1)] + LAST_WEEK:
            db.session.add(HabitCheck(user_id=alice.id, habit_id=stretch, date=day))
        db.session.add(HabitLog(user_id=alice.id, habit_id=reading, date=MONDAY, minutes=99))
        db.session.commit()
    return alice


def delivered(app, smtp, clock, now):
    clock.set(now)
    with app.app_context():
        deliver()
    return list(smtp.messages)


def test_the_summary_goes_on_the_first_weekday_morning_once(app, alice, summarise):
    with app.app_context():
        assert db.session.get(User, alice.id).weekly_summary
    assert summarise(utc(2026, 3, 15, 23, 30)) == 0  # Monday 00:30 in Berlin: too early
    assert summarise(utc(2026, 3, 16, 5, 59)) == 0  # 06:59
    assert summarise(utc(2026, 3, 16, 6, 0)) == 1  # 07:00
    assert summarise(utc(2026, 3, 16, 9, 0)) == 0  # once
    assert summarise(utc(2026, 3, 17, 6, 0)) == 0  # not on Tuesday
    assert summarise(utc(2026, 3, 23, 6, 0)) == 1  # the next Monday


def test_a_sunday_week_in_new_york(app, mail_on, make_user, summarise):
    make_user(
        "bob",
        timezone="America/New_York",
        week_start="sunday",
        weekly_summary=True,
        email_verified=True,
    )
    assert summarise(utc(2026, 3, 15, 10, 59)) == 0  # Sunday 06:59 EDT
    assert summarise(utc(2026, 3, 15, 11, 0)) == 1


def test_the_summary_holds_last_weeks_totals_targets_and_streaks(
    app, alice, mail_on, summarise, clock
):
    assert summarise(utc(2026, 3, 16, 6, 0)) == 1
    (message,) = delivered(app, mail_on, clock, utc(2026, 3, 16, 6, 1))
    text = text_of(message)
    assert "Your week from Mon 9 Mar 2026 to Sun 15 Mar 2026:" in text
    assert "Your week from Mon 9 Mar 2026 to Sun 15 Mar 2026:" in html_of(message)
    # Reading: 40 + 10 + 30 minutes; done on Monday and Wednesday of the six days not skipped;
    # today's 99 minutes are not last week's.
    assert "- Reading: 1h 20m, target 2 of 6 days, streak 0 days" in text
    # Gym: 2 of 3 check-offs a week.
    assert "- Gym: 2 check-offs, target missed, streak 0 weeks" in text
    assert "- Stretch: 7 check-offs, target 7 of 7 days, streak 9 days" in text
    assert "<td>Reading</td><td>1h 20m</td><td>2 of 6 days</td><td>0 days</td>" in html_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribing_from_the_summary(app, alice, mail_on, summarise, clock):
    summarise(utc(2026, 3, 16, 6, 0))
    (message,) = delivered(app, mail_on, clock, utc(2026, 3, 16, 6, 1))
    link = str(message["List-Unsubscribe"]).strip()[1:-1]
    page = app.test_client().post(urlsplit(link).path, data="List-Unsubscribe=One-Click")
    assert page.status_code == 200 and b"No more weekly summaries" in page.data
    with app.app_context():
        assert not db.session.get(User, alice.id).weekly_summary
    assert summarise(utc(2026, 3, 23, 6, 0)) == 0


def test_opting_out_on_the_preferences_page(app, alice, auth, summarise):
    data = {"timezone": "Europe/Berlin", "week_start": "monday"}
    assert auth.client.post("/settings/preferences", data=data).status_code == 302
    with app.app_context():
        assert not db.session.get(User, alice.id).weekly_summary
    assert summarise(utc(2026, 3, 16, 6, 0)) == 0


def test_no_summary_to_an_unconfirmed_address(app, alice, summarise):
    with app.app_context():
        db.session.execute(
            select(User).where(User.id == alice.id)
        ).scalar_one().email_verified = False
        db.session.commit()
    assert summarise(utc(2026, 3, 16, 6, 0)) == 0
