"""Per-account lockout in the database, per-IP limits, and answers that give nothing away."""

import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from httracker import create_app
from httracker.auth import passwords
from httracker.extensions import db, limiter
from httracker.models import LoginFailure, utcnow

from .conftest import PASSWORD

WRONG = "not the password at all"
FAILED = b"Unknown username or email, or wrong password."


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


def fail(client, login="alice", times=1):
    for _ in range(times):
        response = client.post("/auth/login", data={"login": login, "password": WRONG})
        assert response.status_code == 400
    return response


def failures(app, user_id):
    with app.app_context():
        query = select(func.count()).select_from(LoginFailure)
        return db.session.scalar(query.where(LoginFailure.user_id == user_id))


def body_without(response, *words):
    text = response.get_data(as_text=True)
    for word in words:
        text = text.replace(word, "LOGIN")
    return text


def test_ten_failures_lock_the_account_and_say_when_to_retry(app, client, auth, make_user):
    alice = make_user("alice")
    fail(client, times=10)
    assert failures(app, alice.id) == 10
    response = auth.login()
    assert response.status_code == 429
    assert b"locked" in response.data and b"try again after" in response.data
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 15 * 60
    assert client.get("/dashboard").status_code == 302


def test_nine_failures_do_not_lock_and_a_login_clears_them(app, client, auth, make_user):
    alice = make_user("alice")
    fail(client, times=9)
    assert auth.login().status_code == 302
    assert failures(app, alice.id) == 0


def test_failures_older_than_the_window_do_not_count(app, client, auth, make_user):
    alice = make_user("alice")
    with app.app_context():
        old = utcnow() - timedelta(minutes=16)
        db.session.add_all([LoginFailure(user_id=alice.id, created_at=old) for _ in range(9)])
        db.session.commit()
    fail(client)
    assert auth.login().status_code == 302


def test_lock_lifts_when_the_window_has_passed(app, client, auth, make_user):
    alice = make_user("alice")
    with app.app_context():
        stamp = utcnow() - timedelta(minutes=14)
        db.session.add_all([LoginFailure(user_id=alice.id, created_at=stamp) for _ in range(10)])
        db.session.commit()
    response = auth.login()
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    with app.app_context():
        for failure in db.session.scalars(select(LoginFailure)):
            failure.created_at -= timedelta(minutes=2)
        db.session.commit()
    assert auth.login().status_code == 302


def test_unknown_user_wrong_password_and_locked_account_look_alike(app, client, make_user):
    make_user("alice")
    wrong = fail(client, "alice")
    fail(client, "alice", times=9)
    locked = fail(client, "alice")
    unknown = fail(client, "nobody")
    assert wrong.status_code == locked.status_code == unknown.status_code == 400
    assert FAILED in wrong.data
    assert body_without(wrong, "alice") == body_without(locked, "alice")
    assert body_without(wrong, "alice") == body_without(unknown, "nobody")


def test_every_answer_costs_one_password_check(app, client, make_user, monkeypatch):
    make_user("alice")
    calls = []
    real = passwords.verify_password

    def counting(password_hash, password):
        calls.append(password_hash is None)
        return real(password_hash, password)

    monkeypatch.setattr("httracker.auth.services.verify_password", counting)
    fail(client, "alice")
    fail(client, "nobody")
    fail(client, "alice", times=10)  # locked by now, still checked the same way
    assert calls == [False, True] + [False] * 10


@pytest.fixture
def limited_app(database_url, app):
    """An app with the per-IP limiter on and a small limit; the limiter is shared, so restore."""
    limited = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "AUTH_RATE_LIMIT_ENABLED": True,
            "AUTH_RATE_LIMIT": "3/minute",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()
    limiter.reset()


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
def test_per_ip_limit_on_login_and_register(limited_app, path):
    client = limited_app.test_client()
    for _ in range(3):
        assert client.post(path, data={"login": "x", "password": "y"}).status_code == 400
    response = client.post(path, data={"login": "x", "password": "y"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert int(response.headers["Retry-After"]) > 0
    # Reading the form is not limited; another address has its own count.
    assert client.get(path).status_code == 200
    other = client.post(path, data={"login": "x"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 400


def test_audit_lines_for_failures_lockout_and_login(app, client, auth, make_user, caplog):
    alice = make_user("alice")
    caplog.set_level(logging.INFO, logger="httracker.audit")
    fail(client, times=10)
    auth.login()  # locked
    fail(client, "nobody")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "httracker.audit"]
    events = [(r["event"], r["user_id"]) for r in records]
    assert events.count(("login.failure", alice.id)) == 10
    assert ("login.lockout", alice.id) in events
    assert ("login.locked", alice.id) in events
    assert ("login.failure", None) in events
    assert all(r["ip"] == "127.0.0.1" and re.match(r"\d{4}-", r["at"]) for r in records)
    assert not any(WRONG in r.getMessage() or PASSWORD in r.getMessage() for r in caplog.records)
