"""Per-account lockout in the database, per-IP limits, and answers that give nothing away."""

import hashlib
import json
import logging
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from httracker import create_app
from httracker.auth import devices, lockout, passwords
from httracker.extensions import db, limiter
from httracker.models import LoginFailure, utcnow

from .conftest import PASSWORD
from .test_isolation import without_csrf_tokens

WRONG = "not the password at all"
FAILED = b"Unknown username or email, or wrong password."
NEW = "a brand new passphrase 42"


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
    """The page with these words replaced, and its CSRF token (signed with the second it was
    made in, so two answers a second apart differ there) blanked."""
    text = without_csrf_tokens(response.get_data()).decode()
    for word in words:
        text = text.replace(word, "LOGIN")
    return text


def device_client(app, login="alice", password=PASSWORD):
    """A browser that has logged in once (so it holds a device cookie) and logged out."""
    browser = app.test_client()
    assert (
        browser.post("/auth/login", data={"login": login, "password": password}).status_code == 302
    )
    assert browser.get_cookie("device") is not None
    browser.post("/auth/logout")
    return browser


def test_ten_failures_lock_untrusted_clients_and_say_when_to_retry(app, client, auth, make_user):
    alice = make_user("alice")
    fail(client, times=10)
    assert failures(app, alice.id) == 10
    response = auth.login()
    assert response.status_code == 429
    assert b"Too many attempts" in response.data and b"try again" in response.data
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


def test_unknown_user_and_wrong_password_look_alike(app, client, make_user):
    make_user("alice")
    wrong = fail(client, "alice")
    unknown = fail(client, "nobody")
    assert wrong.status_code == unknown.status_code == 400
    assert FAILED in wrong.data
    assert body_without(wrong, "alice") == body_without(unknown, "nobody")


def count_password_checks(monkeypatch):
    calls = []
    real = passwords.verify_password

    def counting(password_hash, password):
        calls.append(password_hash is None)
        return real(password_hash, password)

    monkeypatch.setattr("httracker.auth.services.verify_password", counting)
    return calls


def lock_alice_and_nobody(app, user_id: int) -> None:
    """Ten failures for the account and ten for a name nobody has, at the same moment, so both
    locks end at the same time."""
    with app.app_context():
        stamp = utcnow() - timedelta(minutes=1)
        for _ in range(10):
            db.session.add(LoginFailure(user_id=user_id, created_at=stamp))
            db.session.add(LoginFailure(name_key=lockout.name_key("nobody"), created_at=stamp))
        db.session.commit()


def test_a_locked_account_is_no_password_oracle(app, client, auth, make_user, monkeypatch):
    """Right and wrong passwords, and a locked name nobody has, get one answer, and no password
    check runs for any of them (so they take the same, short, time)."""
    alice = make_user("alice")
    lock_alice_and_nobody(app, alice.id)
    calls = count_password_checks(monkeypatch)
    right = auth.login()
    wrong = client.post("/auth/login", data={"login": "alice", "password": WRONG})
    by_email = auth.login(login="alice@example.com")
    unknown = client.post("/auth/login", data={"login": "nobody", "password": WRONG})
    assert calls == []
    answers = {(r.status_code, r.data, r.headers["Retry-After"]) for r in (right, wrong, unknown)}
    # Retry-After may cross a second boundary between the requests; the bodies may not differ.
    assert {(status, body) for status, body, _ in answers} == {(429, right.data)}
    assert by_email.status_code == 429 and by_email.data == right.data
    assert b"alice" not in right.data and b"nobody" not in right.data
    assert client.get("/dashboard").status_code == 302


def test_unknown_names_lock_like_real_ones(app, client, monkeypatch):
    calls = count_password_checks(monkeypatch)
    fail(client, "nobody", times=10)
    assert calls == [True] * 10
    response = client.post("/auth/login", data={"login": "NoBody", "password": WRONG})
    assert response.status_code == 429 and len(calls) == 10
    with app.app_context():
        rows = list(db.session.scalars(select(LoginFailure)))
    # Counted under a hash of the folded name, not the name itself.
    assert len(rows) == 10 and {row.user_id for row in rows} == {None}
    assert {row.name_key for row in rows} == {hashlib.sha256(b"nobody").hexdigest()}


def test_the_owner_with_a_device_cookie_logs_in_while_an_attacker_is_locked(app, client, make_user):
    alice = make_user("alice")
    owner = device_client(app)
    fail(client, times=10)
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 429
    )
    # Twice: logging in from the device does not reset what the attacker has spent.
    for _ in range(2):
        response = owner.post("/auth/login", data={"login": "alice", "password": PASSWORD})
        assert response.status_code == 302
        assert owner.get("/dashboard").status_code == 200
        owner.post("/auth/logout")
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 429
    )
    assert failures(app, alice.id) == 10


def test_a_device_gets_a_few_tries_of_its_own(app, client, make_user):
    alice = make_user("alice")
    owner = device_client(app)
    for _ in range(5):
        response = owner.post("/auth/login", data={"login": "alice", "password": WRONG})
        assert response.status_code == 400
    locked = owner.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert locked.status_code == 429 and b"from this browser" in locked.data
    # The device's failures are its own: untrusted clients and other devices are not locked.
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 302
    )
    assert device_client(app) is not None
    with app.app_context():
        devices = db.session.scalars(
            select(LoginFailure.device).where(LoginFailure.user_id == alice.id)
        )
        assert len(set(devices)) == 1


def test_the_device_cookie_is_signed_httponly_and_strict(app, make_user):
    alice = make_user("alice")
    browser = app.test_client()
    response = browser.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("device="))
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    assert "Max-Age=31536000" in header
    value = browser.get_cookie("device").value
    payload = URLSafeTimedSerializer(app.secret_key, salt=devices.SALT).loads(value)
    assert payload["u"] == alice.id and payload["g"] == 0
    assert set(payload) == {"u", "g", "d"} and len(payload["d"]) >= 20
    # Each login gives a new device id.
    browser.post("/auth/logout")
    browser.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    again = URLSafeTimedSerializer(app.secret_key, salt=devices.SALT).loads(
        browser.get_cookie("device").value
    )
    assert again["d"] != payload["d"]


def locked_for_untrusted(app, client):
    fail(client, times=10)


@pytest.mark.parametrize("how", ["forged", "other_account", "after_password_change", "expired"])
def test_a_device_cookie_that_is_not_valid_for_the_account_is_untrusted(
    app, client, make_user, runner, how, monkeypatch
):
    make_user("alice")
    make_user("bob")
    owner = device_client(app, "bob" if how == "other_account" else "alice")
    value = owner.get_cookie("device").value
    if how == "forged":
        # The same payload signed with another key.
        real = URLSafeTimedSerializer(app.secret_key, salt=devices.SALT).loads(value)
        value = URLSafeTimedSerializer("not the key", salt=devices.SALT).dumps(real)
        owner.set_cookie("device", value)
    elif how == "after_password_change":
        result = runner.invoke(args=["users", "set-password", "alice"], input=f"{NEW}\n{NEW}\n")
        assert result.exit_code == 0, result.output
    elif how == "expired":
        monkeypatch.setitem(app.config, "DEVICE_COOKIE_DURATION", timedelta(seconds=-1))
    locked_for_untrusted(app, client)
    password = NEW if how == "after_password_change" else PASSWORD
    response = owner.post("/auth/login", data={"login": "alice", "password": password})
    assert response.status_code == 429
    assert b"from browsers it has not been used in" in response.data


def test_a_device_cookie_from_before_a_password_change_in_settings_is_replaced(
    app, client, make_user
):
    make_user("alice")
    owner = device_client(app)
    owner.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    response = owner.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    assert response.status_code == 302
    owner.post("/auth/logout")
    locked_for_untrusted(app, client)
    # This browser got a cookie for the new generation with the change.
    assert owner.post("/auth/login", data={"login": "alice", "password": NEW}).status_code == 302


@pytest.mark.parametrize("command", ["unlock", "set-password"])
def test_the_cli_clears_the_lockout(app, client, make_user, runner, command):
    alice = make_user("alice")
    fail(client, times=10)
    args = ["users", command, "alice"]
    result = runner.invoke(args=args, input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert failures(app, alice.id) == 0
    password = NEW if command == "set-password" else PASSWORD
    assert (
        client.post("/auth/login", data={"login": "alice", "password": password}).status_code == 302
    )
    if command == "unlock":
        assert "10" in result.output


def test_unlock_names_an_unknown_user(runner, app):
    result = runner.invoke(args=["users", "unlock", "nobody"])
    assert result.exit_code == 1 and "No user named" in result.output


def test_the_logged_in_owner_can_change_settings_while_locked(app, client, make_user):
    make_user("alice")
    owner = app.test_client()
    owner.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    fail(client, times=10)
    response = owner.post(
        "/settings/email", data={"email": "new@example.com", "current_password": PASSWORD}
    )
    assert response.status_code == 302
    response = owner.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    assert response.status_code == 302


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
    device_client(app)
    fail(client, times=10)
    auth.login()  # locked
    fail(client, "nobody")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "httracker.audit"]
    events = [(r["event"], r["user_id"]) for r in records]
    assert events.count(("login.failure", alice.id)) == 10
    assert ("login.lockout", alice.id) in events
    assert ("login.locked", alice.id) in events
    assert ("login.failure", None) in events
    assert ("login.success", alice.id) in events
    assert all(r["ip"] == "127.0.0.1" and re.match(r"\d{4}-", r["at"]) for r in records)
    assert not any(WRONG in r.getMessage() or PASSWORD in r.getMessage() for r in caplog.records)


def count_argon2_calls(monkeypatch):
    """Count Argon2 itself, below every function of ours that might call it."""
    calls = []
    real = PasswordHasher.verify

    def counting(self, password_hash, password):
        calls.append(password_hash)
        return real(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


# Headers that may differ between any two requests: the seconds left (a second boundary may
# pass between them), the date, and the session cookie (which holds this browser's CSRF token).
PER_REQUEST = {"Retry-After", "Set-Cookie", "Date"}


def headers_without_per_request(response):
    return sorted((k, v) for k, v in response.headers.items() if k not in PER_REQUEST)


def test_while_locked_argon2_never_runs(app, client, make_user, monkeypatch):
    """No password check at all while locked: right password, wrong password and a name no
    account has get the same status, body and headers, and Argon2 is not called."""
    alice = make_user("alice")
    make_user("bob")
    lock_alice_and_nobody(app, alice.id)
    calls = count_argon2_calls(monkeypatch)
    # The count works: a login that is not locked out runs Argon2.
    assert client.post("/auth/login", data={"login": "bob", "password": WRONG}).status_code == 400
    assert len(calls) == 1
    del calls[:]
    answers = [
        client.post("/auth/login", data={"login": login, "password": password})
        for login, password in (("alice", PASSWORD), ("alice", WRONG), ("nobody", PASSWORD))
    ]
    assert calls == []
    assert [r.status_code for r in answers] == [429] * 3
    assert len({r.data for r in answers}) == 1
    assert len({tuple(headers_without_per_request(r)) for r in answers}) == 1
    assert all(0 < int(r.headers["Retry-After"]) <= 15 * 60 for r in answers)
