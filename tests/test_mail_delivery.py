"""The outbox: mail is written in the transaction of the change that caused it and sent by
`flask mail deliver` to a real SMTP server, retried while the server is away, given up after a
day, pruned after 30 days. Without MAIL_SERVER nothing of it shows."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.mail.delivery import deliver, retry_pause
from httracker.mail.outbox import enqueue
from httracker.models import EmailOutbox, User

from .smtp import html_of, text_of


@pytest.fixture
def client(app):
    """A plain client: pytest-flask's keeps its last context, which other clients would share."""
    return app.test_client()


def queue(app, user_id, count=1):
    """Queue `count` signup-attempt mails for a user (any kind would do) and commit."""
    with app.app_context():
        user = db.session.get(User, user_id)
        for _ in range(count):
            enqueue(user, "signup_attempt", reset="https://habits.example.org/auth/forgot")
        db.session.commit()


def outbox(app):
    with app.app_context():
        rows = list(db.session.scalars(select(EmailOutbox).order_by(EmailOutbox.id)))
        db.session.expunge_all()
        return rows


def run_deliver(app):
    with app.app_context():
        return deliver()


def test_a_message_has_text_and_html_parts_and_goes_to_the_account(app, mail_on, make_user):
    alice = make_user("alice")
    queue(app, alice.id)
    report = run_deliver(app)
    assert (report.sent, report.retrying) == (1, 0)
    (message,) = mail_on.messages
    assert message["To"] == "alice@example.com"
    assert message["From"] == "HT-Tracker <noreply@habits.example.org>"
    assert "someone tried to sign up" in message["Subject"].lower()
    assert "already has one" in text_of(message)
    assert "<p>" in html_of(message) and "<p>" not in text_of(message)
    (row,) = outbox(app)
    assert row.status == "sent" and row.attempts == 0 and row.sent_at is not None
    # Sent once: another round sends nothing.
    assert run_deliver(app).sent == 0
    assert len(mail_on.messages) == 1


def test_mail_of_a_change_that_rolls_back_is_never_sent(app, mail_on, make_user):
    alice = make_user("alice")
    with app.app_context():
        enqueue(db.session.get(User, alice.id), "signup_attempt", reset="x")
        db.session.rollback()
    assert outbox(app) == []
    assert run_deliver(app).sent == 0 and mail_on.messages == []


def test_smtp_server_down_loses_nothing_and_delivers_after_restart(app, mail_on, make_user, clock):
    alice = make_user("alice")
    queue(app, alice.id, count=2)
    mail_on.stop()
    try:
        report = run_deliver(app)
        assert report.sent == 0 and report.retrying >= 1
        rows = outbox(app)
        assert [row.status for row in rows] == ["pending", "pending"]
        failed = [row for row in rows if row.attempts]
        assert failed and "Error" in failed[0].last_error
        assert failed[0].next_attempt_at == clock.now + retry_pause(1)
        # Not due yet: a round before the pause ends tries nothing.
        assert run_deliver(app).retrying == 0
    finally:
        mail_on.start()
    assert run_deliver(app).sent == 0  # still waiting out the pause
    clock.advance(minutes=5)
    report = run_deliver(app)
    assert report.sent == 2
    assert sorted(m["To"] for m in mail_on.messages) == ["alice@example.com"] * 2
    assert {row.status for row in outbox(app)} == {"sent"}


def test_the_server_stopping_in_the_middle_of_a_round_loses_nothing(
    app, mail_on, make_user, clock, monkeypatch
):
    """The server goes away after the first message of a round is sent."""
    from httracker.mail import delivery

    alice = make_user("alice")
    queue(app, alice.id, count=3)
    real_send = delivery.send
    calls = []

    def send_then_stop(connection, row):
        calls.append(row.id)
        if len(calls) == 2:
            mail_on.stop()
        real_send(connection, row)

    monkeypatch.setattr(delivery, "send", send_then_stop)
    try:
        report = run_deliver(app)
    finally:
        if mail_on.controller is None:
            mail_on.start()
    assert report.sent == 1 and len(mail_on.messages) == 1
    statuses = [row.status for row in outbox(app)]
    assert statuses == ["sent", "pending", "pending"]
    clock.advance(hours=1)
    monkeypatch.setattr(delivery, "send", real_send)
    assert run_deliver(app).sent == 2
    assert len(mail_on.messages) == 3


def test_retries_back_off_and_give_up_after_a_day_with_a_log_line(
    app, mail_on, make_user, clock, caplog
):
    assert [retry_pause(n) for n in (1, 2, 3, 7, 20)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
    ]
    alice = make_user("alice")
    queue(app, alice.id)
    mail_on.stop()
    try:
        for _ in range(3):
            assert run_deliver(app).retrying == 1
            clock.advance(hours=1)
        clock.advance(hours=21)  # a day after it was queued
        caplog.set_level(logging.WARNING, logger="httracker.mail")
        report = run_deliver(app)
    finally:
        mail_on.start()
    assert report.given_up == 1
    (row,) = outbox(app)
    assert row.status == "failed" and row.attempts == 4
    assert any("Giving up on mail" in record.getMessage() for record in caplog.records)
    clock.advance(hours=2)
    assert run_deliver(app).sent == 0 and mail_on.messages == []


def test_sent_and_failed_rows_are_pruned_after_30_days(app, mail_on, make_user, clock):
    alice = make_user("alice")
    queue(app, alice.id, count=2)
    assert run_deliver(app).sent == 2
    clock.advance(days=29)
    queue(app, alice.id)
    assert run_deliver(app).pruned == 0
    clock.advance(days=1, seconds=1)
    report = run_deliver(app)
    assert report.pruned == 2
    (left,) = outbox(app)
    assert left.status == "sent" and left.created_at == clock.now - timedelta(days=1, seconds=1)


def test_the_deliver_command_once_and_in_a_loop(app, mail_on, make_user, runner, monkeypatch):
    alice = make_user("alice")
    queue(app, alice.id)
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, retrying 0" in result.output
    queue(app, alice.id)
    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("httracker.cli.mail.time.sleep", sleep)
    result = runner.invoke(args=["mail", "deliver", "--loop", "--interval", "7"])
    assert rounds == [7, 7]
    assert result.output.count("Sent") == 2 and "Sent 1," in result.output
    assert len(mail_on.messages) == 2


def test_the_delivery_loop_outlives_a_database_error(app, mail_on, runner, monkeypatch):
    from sqlalchemy.exc import OperationalError

    rounds = []

    def flaky():
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        raise KeyboardInterrupt

    monkeypatch.setattr("httracker.cli.mail.deliver", flaky)
    monkeypatch.setattr("httracker.cli.mail.time.sleep", lambda seconds: None)
    result = runner.invoke(args=["mail", "deliver", "--loop"])
    assert len(rounds) == 2
    assert "Database error, trying again in 30s" in result.output


def queue_unsendable(app, user_id):
    """A row whose message cannot be built: a subject with a line break, as a habit name could
    put there before names and subjects were kept to one line."""
    with app.app_context():
        row = enqueue(db.session.get(User, user_id), "signup_attempt", reset="x")
        row.subject = "Reminder: Read\r\nBcc: someone@example.net"
        db.session.commit()
        return row.id


def test_a_message_that_cannot_be_built_does_not_hold_up_the_queue(
    app, client, mail_on, make_user, clock, caplog
):
    alice = make_user("alice")
    bad_id = queue_unsendable(app, alice.id)
    assert client.post("/auth/forgot", data={"email": "alice@example.com"}).status_code == 302
    caplog.set_level(logging.ERROR, logger="httracker.mail")
    report = run_deliver(app)
    assert (report.sent, report.retrying) == (1, 1)
    (message,) = mail_on.messages
    assert message["Subject"] == "Reset your HT-Tracker password"
    bad, reset = outbox(app)
    assert (bad.id, bad.status, bad.attempts) == (bad_id, "pending", 1)
    assert bad.last_error.startswith("BadHeaderError")
    assert bad.next_attempt_at == clock.now + retry_pause(1)
    assert reset.status == "sent"
    assert any(f"Mail {bad_id} (signup_attempt)" in r.getMessage() for r in caplog.records)
    # Retried like any failure, then given up after a day; nothing of it ever goes out.
    clock.advance(days=1)
    assert run_deliver(app).given_up == 1
    assert outbox(app)[0].status == "failed" and len(mail_on.messages) == 1


def test_the_delivery_loop_keeps_going_past_a_message_that_cannot_be_built(
    app, client, mail_on, make_user, runner, monkeypatch
):
    alice = make_user("alice")
    queue_unsendable(app, alice.id)
    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 1:
            client.post("/auth/forgot", data={"email": "alice@example.com"})
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr("httracker.cli.mail.time.sleep", sleep)
    result = runner.invoke(args=["mail", "deliver", "--loop", "--interval", "1"])
    assert len(rounds) == 2, result.output
    assert "Sent 0, retrying 1" in result.output and "Sent 1, retrying 0" in result.output
    assert [m["Subject"] for m in mail_on.messages] == ["Reset your HT-Tracker password"]


def test_without_mail_server_the_commands_do_nothing(runner, app, make_user):
    alice = make_user("alice")
    queue(app, alice.id)  # as if mail had been on before
    for args in (["mail", "deliver"], ["reminders", "send"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0  # a scheduled job on a site without mail is not failing
        assert "MAIL_SERVER is not set" in result.output and "Sent" not in result.output
    assert [row.status for row in outbox(app)] == ["pending"]


def test_mail_settings_come_from_the_environment():
    from config import ConfigError, load_config

    settings = load_config(
        {
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "465",
            "MAIL_USE_SSL": "1",
            "MAIL_USERNAME": "bot",
            "MAIL_PASSWORD": "pw",
            "MAIL_DEFAULT_SENDER": "Habits <habits@example.org>",
            "SITE_URL": "https://habits.example.org/",
        },
        {"ENV": "testing"},
    )
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.example.org", 465)
    assert settings["MAIL_USE_SSL"] and not settings["MAIL_USE_TLS"]
    assert (settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"]) == ("bot", "pw")
    assert settings["SITE_URL"] == "https://habits.example.org"
    assert load_config({}, {"ENV": "testing"})["MAIL_SERVER"] == ""
    with pytest.raises(ConfigError, match="not both"):
        load_config({"MAIL_USE_TLS": "1", "MAIL_USE_SSL": "1"}, {"ENV": "testing"})


@pytest.mark.parametrize(
    "path",
    ["/auth/forgot", "/auth/reset/x", "/auth/confirm/x", "/mail/unsubscribe/x"],
)
def test_without_mail_server_the_mail_pages_do_not_exist(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_without_mail_server_nothing_mentions_mail(app, client, user, make_habit):
    assert b"Forgot" not in app.test_client().get("/auth/login").data
    habit_id = make_habit(user.id)
    assert b"Reminder" not in client.get(f"/habits/{habit_id}/edit").data
    assert b"summary" not in client.get("/settings/preferences").data
    assert b"confirmation link" not in client.get("/settings/").data
    # Changing the address takes effect at once, as before.
    response = client.post(
        "/settings/email",
        data={"email": "new@example.com", "current_password": "correct horse battery"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).email == "new@example.com"
        assert db.session.scalar(select(func.count(EmailOutbox.id))) == 0


@pytest.mark.parametrize(
    "path", ["/auth/forgot", "/auth/reset/x", "/auth/confirm/x", "/settings/email/confirm"]
)
def test_mail_forms_need_a_csrf_token(app, mail_on, make_user, monkeypatch, path):
    make_user("alice")
    client = app.test_client()
    client.post("/auth/login", data={"login": "alice", "password": "correct horse battery"})
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(path, data={"email": "alice@example.com"})
    assert response.status_code == 400 and b"CSRF" in response.data
    assert outbox(app) == []


def test_one_click_unsubscribe_needs_no_csrf_token(app, mail_on, make_user, monkeypatch):
    """RFC 8058: mail programs POST without any token; the signed link is the credential."""
    from httracker.mail.tokens import sign

    alice = make_user("alice", weekly_summary=True)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.app_context():
        token = sign("unsubscribe", {"u": alice.id, "s": 1})
    response = app.test_client().post(
        f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    with app.app_context():
        assert not db.session.get(User, alice.id).weekly_summary
