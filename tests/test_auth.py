"""Registration, login, logout and the rules around them."""

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.models import User

from .conftest import PASSWORD


def register(client, username="alice", email="alice@example.com", password=PASSWORD, confirm=None):
    data = {"username": username, "email": email, "password": password}
    data["confirm"] = password if confirm is None else confirm
    return client.post("/auth/register", data=data)


def test_register_logs_in_and_redirects_to_dashboard(client, app):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.username == "alice"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("username", "email"),
    [
        ("ALICE", "other@example.com"),
        ("other", "ALICE@Example.COM"),
        ("Alice", "alice@example.com"),
    ],
)
def test_register_rejects_duplicate_username_or_email_in_any_case(
    client, make_user, username, email
):
    make_user("alice", "alice@example.com")
    response = register(client, username=username, email=email)
    assert response.status_code == 400
    assert b"taken" in response.data or b"already exists" in response.data
    # the input is kept, the password is not
    assert username.encode() in response.data
    assert PASSWORD.encode() not in response.data


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "confirm": "short"}, b"Use 10"),
        ({"password": "x" * 1025, "confirm": "x" * 1025}, b"Use 10"),
        ({"confirm": "something else entirely"}, b"do not match"),
        ({"username": "al"}, b"Use 3"),
        ({"username": "a" * 33}, b"Field cannot be longer than 32"),
        ({"username": "bad name!"}, b"Use 3"),
        ({"email": "not-an-email"}, b"valid email"),
        ({"username": ""}, b"This field is required"),
    ],
)
def test_register_validation_errors_are_inline_with_400(client, app, fields, message):
    data = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    data["confirm"] = data["password"]
    data.update(fields)
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert message in response.data
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_password_of_exactly_ten_and_1024_characters_is_accepted(client):
    assert register(client, password="vq7#Lm2!xZ").status_code == 302
    client.post("/auth/logout")
    long_password = ("correct horse battery " + "é" * 1024)[:1024]
    assert register(client, "bob", "bob@example.com", password=long_password).status_code == 302


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@Example.com"])
def test_login_with_username_or_email_in_any_case(client, auth, make_user, login):
    make_user("alice")
    response = auth.login(login)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, auth, make_user):
    make_user("alice")
    wrong = auth.login("alice", "wrong password here")
    unknown = auth.login("nobody", "wrong password here")
    assert wrong.status_code == unknown.status_code == 400
    message = b"Unknown username or email, or wrong password."
    assert message in wrong.data and message in unknown.data
    assert client.get("/dashboard").status_code == 302


def test_password_is_checked_exactly_as_typed(auth, make_user):
    make_user("alice", password="  spaced password  ")
    assert auth.login("alice", "spaced password").status_code == 400
    assert auth.login("alice", "  spaced password  ").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\n/evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_login_ignores_unsafe_next(client, auth, make_user, target):
    make_user("alice")
    response = client.post(
        "/auth/login", query_string={"next": target}, data={"login": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_login_follows_a_safe_next(client, make_user):
    make_user("alice")
    response = client.post(
        "/auth/login",
        query_string={"next": "/settings/?tab=1"},
        data={"login": "alice", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/settings/?tab=1"


def test_anonymous_request_is_redirected_to_login_with_next_and_a_message(client):
    response = client.get("/settings/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/settings/?tab%3D1"
    page = client.get(response.headers["Location"])
    assert b"Please log in to see that page." in page.data


@pytest.mark.parametrize("path", ["/dashboard", "/analytics/", "/settings/"])
def test_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_public_pages_do_not_need_a_login(client):
    assert client.get("/auth/login").status_code == 200
    assert client.get("/auth/register").status_code == 200
    assert client.get("/healthz").status_code == 200
    with client.get("/static/style.css") as response:
        assert response.status_code == 200


def test_root_redirects_by_login_state(client, user, auth):
    assert client.get("/").headers["Location"] == "/dashboard"
    auth.logout()
    assert client.get("/").headers["Location"] == "/auth/login"


def test_logged_in_user_is_sent_from_login_and_register_to_dashboard(client, user):
    assert client.get("/auth/login").headers["Location"] == "/dashboard"
    assert client.get("/auth/register").headers["Location"] == "/dashboard"


def test_logout_ends_the_session_and_clears_remember_cookie(client, make_user, auth):
    make_user("alice")
    auth.login(remember="y")
    assert client.get_cookie("remember_token") is not None
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.get_cookie("remember_token") is None
    assert client.get("/dashboard").status_code == 302


def test_logout_needs_post(client, user):
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_post_without_csrf_token_is_rejected(client, app, make_user, monkeypatch):
    make_user("alice")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert b"CSRF" in response.data
    assert client.get("/dashboard").status_code == 302


def test_post_with_csrf_token_is_accepted(client, app, make_user, monkeypatch):
    import re

    make_user("alice")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"login": "alice", "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_outdated_hash_is_rehashed_on_login(client, app, make_user):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    alice = make_user("alice")
    with app.app_context():
        db.session.get(User, alice.id).password_hash = old
        db.session.commit()
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 302
    )
    with app.app_context():
        new = db.session.get(User, alice.id).password_hash
    assert new != old
    assert "m=8192,t=1,p=1" in new


def test_login_and_register_pages_have_labelled_fields(client):
    page = client.get("/auth/register").get_data(as_text=True)
    for name in ("username", "email", "password", "confirm"):
        assert f'<label for="{name}">' in page


def test_navigation_links_every_section(client, user):
    page = client.get("/dashboard").get_data(as_text=True)
    for href in ("/dashboard", "/habits/", "/logs/", "/analytics/", "/settings/", "/auth/logout"):
        assert f'"{href}"' in page


def test_anonymous_post_is_sent_to_login_without_a_next_it_cannot_follow(client):
    response = client.post("/logs/new", data={"minutes": "30"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_anonymous_json_request_gets_a_401_json_answer(client):
    response = client.get("/analytics/data.json?range=7d")
    assert response.status_code == 401
    assert response.json == {"error": "Unauthorized", "description": "Log in first."}
