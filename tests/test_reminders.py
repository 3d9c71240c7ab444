"""Reminders: at the habit's local time in each user's zone (across DST changes), at most once
a day, never when the day is done, skipped or on a break; one-click unsubscribe (RFC 8058)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.habits.days import add_break
from httracker.mail.delivery import deliver
from httracker.mail.reminders import send_reminders
from httracker.mail.tokens import sign
from httracker.models import Habit, HabitCheck, HabitLog, HabitSkip, User

from .conftest import SITE_URL
from .smtp import links_in, text_of


@pytest.fixture
def client(app):
    """A plain client: pytest-flask's keeps its last context, which other clients would share."""
    return app.test_client()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def remind(app, clock):
    """Queue the reminders due at `now` (the clock set there too); how many."""

    def run(now) -> int:
        clock.set(now)
        with app.app_context():
            queued = send_reminders(now)
            db.session.commit()
            return queued

    return run


def delivered(app, smtp, clock, now):
    clock.set(now)
    with app.app_context():
        deliver()
    return list(smtp.messages)


def set_reminder(app, habit_id, at, days=range(7)):
    with app.app_context():
        habit = db.session.get(Habit, habit_id)
        from httracker.mail.reminders import set_reminder as set_it

        set_it(habit, at, [str(day) for day in days])
        db.session.commit()


@pytest.fixture
def people(make_user, make_habit, app):
    """Alice in Berlin and Bob in New York, confirmed, each with "Reading" reminded at 08:00."""
    alice = make_user("alice", timezone="Europe/Berlin", email_verified=True)
    bob = make_user("bob", timezone="America/New_York", email_verified=True)
    ids = {}
    for person in (alice, bob):
        habit_id = make_habit(person.id, "Reading", target_minutes=30)
        set_reminder(app, habit_id, time(8, 0))
        ids[person.username] = (person.id, habit_id)
    return ids


def test_reminders_come_at_local_time_in_two_zones_once_a_day(app, mail_on, people, clock, remind):
    day = (2026, 3, 10)  # Berlin is UTC+1; New York has been on UTC-4 since 8 March
    assert remind(utc(*day, 6, 59)) == 0
    assert remind(utc(*day, 7, 0)) == 1  # 08:00 in Berlin
    assert remind(utc(*day, 7, 5)) == 0  # never twice
    assert remind(utc(*day, 11, 59)) == 0
    assert remind(utc(*day, 12, 0)) == 1  # 08:00 in New York
    assert remind(utc(*day, 18, 0)) == 0
    messages = delivered(app, mail_on, clock, utc(*day, 12, 1))
    assert [m["To"] for m in messages] == ["alice@example.com", "bob@example.com"]
    assert messages[0]["Subject"] == "Reminder: Reading"
    # The next day, again once each.
    assert remind(utc(2026, 3, 11, 7, 0)) == 1
    assert remind(utc(2026, 3, 11, 7, 30)) == 0


def test_a_late_run_does_not_send_the_mornings_reminder_at_night(app, mail_on, people, remind):
    assert remind(utc(2026, 3, 10, 9, 0)) == 1  # 10:00 in Berlin: two hours late at most
    assert remind(utc(2026, 3, 10, 16, 0)) == 0  # 12:00 in New York: too late
    assert remind(utc(2026, 3, 11, 12, 30)) == 1  # New York the next day


def test_dst_changes_in_berlin(app, mail_on, people, remind):
    alice_habit = people["alice"][1]
    with app.app_context():  # Bob's reminder stays out of the way
        db.session.get(Habit, people["bob"][1]).reminder_time = None
        db.session.commit()
    # Spring forward, 29 March 2026: 08:00 CEST is 06:00 UTC, an hour earlier than the day before.
    assert remind(utc(2026, 3, 28, 7, 0)) == 1
    assert remind(utc(2026, 3, 29, 5, 59)) == 0
    assert remind(utc(2026, 3, 29, 6, 0)) == 1
    # A reminder at 02:30, a time that day skips: due as the clock jumps to 03:00.
    set_reminder(app, alice_habit, time(2, 30))
    assert remind(utc(2026, 3, 30, 0, 29)) == 0  # 02:29 CEST the next day
    assert remind(utc(2026, 3, 30, 0, 30)) == 1
    with app.app_context():
        db.session.get(Habit, alice_habit).reminder_sent_on = None
        db.session.commit()
    assert remind(utc(2026, 3, 29, 0, 59)) == 0  # 01:59 CET
    assert remind(utc(2026, 3, 29, 1, 0)) == 1  # 03:00 CEST, straight after 01:59
    # Fall back, 25 October 2026: 02:30 happens twice; one reminder.
    assert remind(utc(2026, 10, 25, 0, 29)) == 0
    assert remind(utc(2026, 10, 25, 0, 30)) == 1  # 02:30 CEST
    assert remind(utc(2026, 10, 25, 1, 30)) == 0  # 02:30 CET, the second time
    assert remind(utc(2026, 10, 26, 1, 30)) == 1  # 02:30 CET the next day


def test_only_on_the_chosen_weekdays(app, mail_on, people, remind):
    set_reminder(app, people["alice"][1], time(8, 0), days=[1, 3])  # Tuesday, Thursday
    assert remind(utc(2026, 3, 9, 7, 0)) == 0  # a Monday
    assert remind(utc(2026, 3, 10, 7, 0)) == 1  # Tuesday


def add_entry(app, model, user_id, habit_id, day, **fields):
    with app.app_context():
        db.session.add(model(user_id=user_id, habit_id=habit_id, date=day, **fields))
        db.session.commit()


TUESDAY = date(2026, 3, 10)
AT_EIGHT_IN_BERLIN = utc(2026, 3, 10, 7, 0)


def test_none_when_the_day_is_done(app, mail_on, people, make_habit, remind):
    user_id, habit_id = people["alice"]
    add_entry(app, HabitLog, user_id, habit_id, TUESDAY, minutes=30)
    add_entry(app, HabitLog, user_id, habit_id, TUESDAY - timedelta(days=1), minutes=10)
    assert remind(AT_EIGHT_IN_BERLIN) == 0


def test_a_day_not_yet_done_by_the_habits_rule_is_reminded(app, mail_on, people, remind):
    user_id, habit_id = people["alice"]
    add_entry(app, HabitLog, user_id, habit_id, TUESDAY, minutes=29)  # the target is 30
    assert remind(AT_EIGHT_IN_BERLIN) == 1


def test_none_when_a_check_habit_is_checked(app, mail_on, people, make_habit, remind):
    user_id, habit_id = people["alice"]
    stretch = make_habit(user_id, "Stretch", kinds={"kind": "check", "times": 1})
    set_reminder(app, stretch, time(8, 0))
    set_reminder(app, habit_id, None)
    add_entry(app, HabitCheck, user_id, stretch, TUESDAY - timedelta(days=1))
    assert remind(AT_EIGHT_IN_BERLIN) == 1  # yesterday's check does not count
    with app.app_context():
        db.session.get(Habit, stretch).reminder_sent_on = None
        db.session.commit()
    add_entry(app, HabitCheck, user_id, stretch, TUESDAY)
    assert remind(AT_EIGHT_IN_BERLIN) == 0


def test_none_when_skipped(app, mail_on, people, remind):
    user_id, habit_id = people["alice"]
    add_entry(app, HabitSkip, user_id, habit_id, TUESDAY)
    assert remind(AT_EIGHT_IN_BERLIN) == 0


@pytest.mark.parametrize("covers", ["all", "this", "other"])
def test_breaks(app, mail_on, people, make_habit, covers, remind):
    user_id, habit_id = people["alice"]
    other = make_habit(user_id, "Piano")
    with app.app_context():
        owner = db.session.get(User, user_id)
        habits = {
            "all": None,
            "this": [db.session.get(Habit, habit_id)],
            "other": [db.session.get(Habit, other)],
        }[covers]
        add_break(owner, TUESDAY - timedelta(days=2), TUESDAY, habits, None)
        db.session.commit()
    assert remind(AT_EIGHT_IN_BERLIN) == (1 if covers == "other" else 0)


def test_none_for_archived_habits_or_unconfirmed_addresses(app, mail_on, people, remind):
    with app.app_context():
        db.session.get(Habit, people["alice"][1]).archived = True
        db.session.get(User, people["bob"][0]).email_verified = False
        db.session.commit()
    assert remind(AT_EIGHT_IN_BERLIN) == 0
    assert remind(utc(2026, 3, 10, 12, 0)) == 0


def test_the_reminder_command(app, mail_on, people, runner, clock):
    clock.set(AT_EIGHT_IN_BERLIN)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 reminders and 0 weekly summaries." in result.output
    assert "Queued 0 reminders" in runner.invoke(args=["reminders", "send"]).output


def reminder_mail(app, smtp, clock, remind):
    assert remind(AT_EIGHT_IN_BERLIN) == 1
    (message,) = delivered(app, smtp, clock, AT_EIGHT_IN_BERLIN)
    return message


def test_a_reminder_subject_is_one_line_whatever_the_habits_name(
    app, mail_on, people, clock, remind
):
    """A name kept from before names were one line cannot break the subject or add headers."""
    with app.app_context():
        db.session.get(Habit, people["alice"][1]).name = "Read\r\nBcc: someone@example.net"
        db.session.commit()
    message = reminder_mail(app, mail_on, clock, remind)
    assert message["Subject"] == "Reminder: Read Bcc: someone@example.net"
    assert message["Bcc"] is None and message["X-Envelope-To"] == "alice@example.com"


def test_one_click_unsubscribe_without_login(app, mail_on, people, clock, remind):
    message = reminder_mail(app, mail_on, clock, remind)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"]).strip()  # folded: the link is long
    assert header.startswith(f"<{SITE_URL}/mail/unsubscribe/") and header.endswith(">")
    link = header[1:-1]
    assert link in links_in(message)
    assert "/habits/" in text_of(message)
    path = urlsplit(link).path
    stranger = app.test_client()
    page = stranger.get(path)
    assert page.status_code == 200 and b"Reading" in page.data
    with app.app_context():
        assert db.session.get(Habit, people["alice"][1]).reminder_time == time(8, 0)
    # What a mail program sends (RFC 8058): a POST with this body, no cookie, no CSRF token.
    response = stranger.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Habit, people["alice"][1]).reminder_time is None
        assert db.session.get(Habit, people["bob"][1]).reminder_time == time(8, 0)
    assert stranger.post(path).status_code == 200  # again: nothing left to do, no error
    assert remind(utc(2026, 3, 11, 7, 0)) == 0


def test_an_unsubscribe_link_cannot_reach_another_users_habit(app, mail_on, people):
    alice_id = people["alice"][0]
    bob_habit = people["bob"][1]
    with app.app_context():
        forged = sign("unsubscribe", {"u": alice_id, "h": bob_habit})
        wrong_purpose = sign("reset", {"u": alice_id, "h": people["alice"][1]})
    for token in (forged, wrong_purpose, "x", forged[:-2] + "xx"):
        assert app.test_client().post(f"/mail/unsubscribe/{token}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Habit.reminder_time).where(Habit.id == bob_habit))


PIANO = {"name": "Piano", "kind": "time", "target_direction": "at_least", "target_period": "day"}


def test_the_habit_form_sets_and_clears_a_reminder(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    response = auth.client.post(
        "/habits/new",
        data={
            "name": "Piano",
            "kind": "time",
            "target_direction": "at_least",
            "target_period": "day",
            "reminder_time": "18:30",
            "reminder_weekdays": ["0", "2", "4"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        habit = db.session.scalars(select(Habit)).one()
        assert (habit.reminder_time, habit.reminder_days) == (time(18, 30), 0b10101)
        habit_id = habit.id
    page = auth.client.get(f"/habits/{habit_id}/edit").data
    assert b'value="18:30"' in page and b'checked id="reminder_weekdays-4"' in page
    assert b'<input id="reminder_weekdays-1"' in page  # Tuesday is not chosen
    bad = auth.client.post(
        f"/habits/{habit_id}/edit",
        data={**PIANO, "reminder_time": "25:99", "reminder_weekdays": ["0"]},
    )
    assert bad.status_code == 400 and b"Not a valid time" in bad.data
    none_chosen = auth.client.post(
        f"/habits/{habit_id}/edit",
        data={**PIANO, "reminder_time": "07:00"},
    )
    assert none_chosen.status_code == 400 and b"Choose the days" in none_chosen.data
    cleared = auth.client.post(
        f"/habits/{habit_id}/edit",
        data={**PIANO, "reminder_time": ""},  # what a browser sends for an emptied field
    )
    assert cleared.status_code == 302
    with app.app_context():
        assert db.session.get(Habit, habit_id).reminder_time is None


@pytest.mark.parametrize("confirmed", [True, False])
def test_the_habit_form_says_reminders_need_a_confirmed_address(
    app, mail_on, make_user, make_habit, auth, confirmed
):
    alice = make_user("alice", email_verified=confirmed)
    auth.login()
    habit_id = make_habit(alice.id, "Piano")
    for path in ("/habits/new", f"/habits/{habit_id}/edit"):
        page = auth.client.get(path).get_data(as_text=True)
        (note,) = re.findall(r'<p class="help" id="reminder-address">(.*?)</p>', page)
        settings_link = '<a href="/settings/#email-heading">Settings</a>'
        if confirmed:
            assert "alice@example.com, your confirmed address" in note
            assert settings_link not in note
        else:
            assert "only to a confirmed address" in note and "not confirmed yet" in note
            assert settings_link in note
    if not confirmed:
        assert b'id="email-heading"' in auth.client.get("/settings/").data


def test_reminders_cost_a_few_queries_per_due_habit(app, mail_on, people, count_queries, clock):
    """One query finds the candidates; a habit not due costs nothing more, a due one a fixed
    handful (its day's entries, the claim, the outbox row), never its history."""
    clock.set(utc(2026, 3, 10, 6, 0))
    with count_queries() as idle, app.app_context():
        assert send_reminders(utc(2026, 3, 10, 6, 0)) == 0
        db.session.rollback()
    assert idle.count <= 2  # the candidates (and SQLite's BEGIN)
    clock.set(utc(2026, 3, 10, 7, 0))
    with count_queries() as due, app.app_context():
        assert send_reminders(utc(2026, 3, 10, 7, 0)) == 1
        db.session.rollback()
    assert due.count - idle.count <= 6
