"""Account settings: password, email and deletion, each behind the current password."""

import json
import logging
import re
import secrets
from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

import config
from httracker.extensions import db
from httracker.models import Habit, HabitLog, HabitTimer, LoginFailure, User, UserSession, utcnow

from .conftest import PASSWORD

NEW_PASSWORD = "quartz lantern meadow 42"


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


def count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def stored_user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is not None:
            db.session.expunge(user)
        return user


def login(app, login="alice", password=PASSWORD):
    client = app.test_client()
    client.post("/auth/login", data={"login": login, "password": password})
    return client


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return client.post("/settings/password", data=data)


def test_settings_page_shows_the_account_forms(client, user):
    page = client.get("/settings/").get_data(as_text=True)
    for action in ("/settings/password", "/settings/email", "/settings/delete"):
        assert f'action="{action}"' in page
    for name in ("current_password", "new_password", "confirm", "email", "confirm_username"):
        assert f'name="{name}"' in page
    assert 'href="/settings/sessions"' in page
    for name in ("current_password", "new_password", "confirm"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*type="password"', page), name


def test_change_password_keeps_this_device_and_logs_out_the_others(app, client, user):
    other = login(app)
    response = change_password(client)
    assert response.status_code == 302 and response.headers["Location"] == "/settings/"
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert count(app, UserSession) == 1
    assert login(app, password=NEW_PASSWORD).get("/dashboard").status_code == 200
    assert login(app, password=PASSWORD).get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current": "not my password!"}, "That is not your current password."),
        ({"new": "password123"}, "This is a very common password."),
        ({"new": "alicealice1"}, "Add another word or two"),
        ({"new": "short"}, "Use 10–1024 characters."),
        ({"confirm": "something else"}, "The passwords do not match."),
    ],
)
def test_change_password_rejections_are_inline_and_change_nothing(
    app, client, user, fields, message
):
    before = stored_user(app, user.id).password_hash
    other = login(app)
    response = change_password(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_user(app, user.id).password_hash == before
    assert other.get("/dashboard").status_code == 200


def test_change_email(app, client, user):
    data = {"email": "Alice.New@Example.com", "current_password": PASSWORD}
    assert client.post("/settings/email", data=data).status_code == 302
    assert stored_user(app, user.id).email == "alice.new@example.com"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "new@example.com", "current_password": "wrong password"}, "not your current"),
        ({"email": "bob@example.com", "current_password": PASSWORD}, "already exists"),
        ({"email": "not an email", "current_password": PASSWORD}, "valid email"),
    ],
)
def test_change_email_rejections(app, client, make_user, user, data, message):
    make_user("bob")
    response = client.post("/settings/email", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_user(app, user.id).email == "alice@example.com"


def add_habit_and_log(app, user_id):
    with app.app_context():
        habit = Habit(user_id=user_id, name="Piano")
        db.session.add(habit)
        db.session.flush()
        db.session.add(
            HabitLog(user_id=user_id, habit_id=habit.id, date=date(2026, 1, 5), minutes=30)
        )
        db.session.add(LoginFailure(user_id=user_id))
        db.session.add(HabitTimer(user_id=user_id, habit_id=habit.id, started_at=utcnow()))
        db.session.commit()


def test_delete_account_removes_everything_and_logs_out(app, client, make_user, user):
    bob = make_user("bob")
    add_habit_and_log(app, user.id)
    add_habit_and_log(app, bob.id)
    other = login(app)
    data = {"current_password": PASSWORD, "confirm_username": "alice"}
    response = client.post("/settings/delete", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert stored_user(app, user.id) is None
    for model in (Habit, HabitLog, HabitTimer, UserSession, LoginFailure):
        assert count(app, model, user_id=user.id) == 0
    assert count(app, Habit, user_id=bob.id) == count(app, HabitLog, user_id=bob.id) == 1
    assert count(app, HabitTimer, user_id=bob.id) == 1
    assert client.get("/dashboard").status_code == 302
    assert other.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current_password": "wrong password", "confirm_username": "alice"}, "not your current"),
        ({"current_password": PASSWORD, "confirm_username": "bob"}, "exactly as shown"),
        ({"current_password": PASSWORD, "confirm_username": ""}, "This field is required"),
    ],
)
def test_delete_account_rejections_keep_the_account(app, client, user, data, message):
    add_habit_and_log(app, user.id)
    response = client.post("/settings/delete", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_user(app, user.id) is not None
    assert count(app, HabitLog, user_id=user.id) == 1


@pytest.mark.parametrize("path", ["/settings/password", "/settings/email", "/settings/delete"])
def test_account_forms_need_a_login(client, path):
    response = client.post(path, data={"current_password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "path",
    [
        "/settings/password",
        "/settings/email",
        "/settings/delete",
        "/settings/sessions/revoke-others",
        "/settings/sessions/1/revoke",
    ],
)
def test_account_forms_need_a_csrf_token(app, client, user, monkeypatch, path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    data = {"current_password": PASSWORD, "confirm_username": "alice", "email": "x@example.com"}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert stored_user(app, user.id) is not None
    assert count(app, UserSession) == 1


def test_audit_lines_for_account_changes(app, client, user, caplog):
    caplog.set_level(logging.INFO, logger="httracker.audit")
    login(app)
    change_password(client, current="wrong password")
    change_password(client)
    client.post(
        "/settings/email", data={"email": "a2@example.com", "current_password": NEW_PASSWORD}
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "httracker.audit"]
    events = [json.loads(line)["event"] for line in lines]
    for event in ("reauth.failure", "password.changed", "sessions.revoked", "email.changed"):
        assert event in events
    assert all(json.loads(line)["user_id"] == user.id for line in lines)
    assert not any(secret in line for line in lines for secret in (PASSWORD, NEW_PASSWORD))


def test_weak_password_is_refused_at_registration_with_advice(app, client):
    data = {"username": "carol", "email": "carol@example.com"}
    data["password"] = data["confirm"] = "password1234"
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert re.search(r"common password|easy to guess", response.get_data(as_text=True))
    assert count(app, User) == 0


def test_production_argon2_parameters_meet_owasp_minimum():
    settings = config.load_config(
        {"ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "ALLOW_SQLITE": "1"}
    )
    # OWASP: Argon2id with m >= 19 MiB, t >= 2, p >= 1 (or an equivalent trade-off).
    assert settings["ARGON2_MEMORY_COST"] >= 19 * 1024
    assert settings["ARGON2_TIME_COST"] >= 2
    assert settings["ARGON2_PARALLELISM"] >= 1
    hashed = PasswordHasher(
        time_cost=settings["ARGON2_TIME_COST"],
        memory_cost=settings["ARGON2_MEMORY_COST"],
        parallelism=settings["ARGON2_PARALLELISM"],
    ).hash("x" * 10)
    assert hashed.startswith("$argon2id$")


def test_wrong_current_passwords_count_towards_the_lockout(app, client, user):
    for _ in range(10):
        assert change_password(client, current="guess guess guess").status_code == 400
    assert count(app, LoginFailure, user_id=user.id) == 10
    response = change_password(client)  # the right password, but too late
    assert response.status_code == 400
    assert "Too many wrong passwords" in response.get_data(as_text=True)
    assert login(app, password=NEW_PASSWORD).get("/dashboard").status_code == 302
    assert (
        app.test_client()
        .post("/auth/login", data={"login": "alice", "password": PASSWORD})
        .status_code
        == 429
    )
