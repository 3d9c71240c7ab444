"""Passkeys: registration, passwordless login and the second step, checked with a software
authenticator (tests/softkey.py); the browser ceremony is in tests/e2e/test_passkeys_browser.py."""

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from httracker.auth import passkeys as passkey_service
from httracker.extensions import db
from httracker.models import LoginChallenge, LoginFailure, Passkey, User

from .conftest import PASSWORD
from .softkey import SoftKey

ORIGIN = "http://localhost"


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


def browser(app):
    return app.test_client()


def post(client, url, json=None):
    return client.post(url, json=json if json is not None else {}, base_url=ORIGIN)


def registration_options(client, password=PASSWORD):
    return post(client, "/settings/passkeys/options", {"current_password": password})


def add_passkey(client, key, name="Laptop"):
    options = registration_options(client)
    assert options.status_code == 200 and options.is_json
    assert options.json["rp"] == {"id": "localhost", "name": "HT-Tracker"}
    assert options.json["authenticatorSelection"]["residentKey"] == "required"
    credential = key.create(options.json)
    return post(client, "/settings/passkeys", {"name": name, "credential": credential})


def delete(client, passkey_id, password=PASSWORD):
    data = {"current_password": password} if password is not None else {}
    return client.post(f"/settings/passkeys/{passkey_id}/delete", data=data)


def passkeys(app, **where):
    with app.app_context():
        return list(db.session.scalars(select(Passkey).filter_by(**where).order_by(Passkey.id)))


@pytest.fixture
def alice(make_user, client):
    user = make_user("alice")
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 302
    )
    return user


def passwordless(app, key, origin=None):
    visitor = browser(app)
    options = post(visitor, "/auth/passkey/options")
    assert options.json["userVerification"] == "required"
    assert options.json["allowCredentials"] == []
    return visitor, post(visitor, "/auth/passkey", key.get(options.json, origin))


def test_register_list_and_log_in_without_a_password(app, client, alice):
    key = SoftKey()
    response = add_passkey(client, key)
    assert response.status_code == 200 and response.json["redirect"].startswith("/settings/")
    (row,) = passkeys(app, user_id=alice.id)
    assert row.name == "Laptop" and row.sign_count == 0 and row.last_used_at is None
    page = client.get("/settings/").get_data(as_text=True)
    assert "Laptop" in page and "never" in page
    visitor, response = passwordless(app, key)
    assert response.status_code == 200 and response.json == {"redirect": "/dashboard"}
    assert visitor.get("/dashboard").status_code == 200
    (row,) = passkeys(app, user_id=alice.id)
    assert row.sign_count == 1 and row.last_used_at is not None
    with app.app_context():
        db.session.get(User, alice.id).timezone = "America/New_York"
        db.session.commit()
    page = client.get("/settings/").get_data(as_text=True)
    for moment in (row.created_at, row.last_used_at):
        local = moment.astimezone(ZoneInfo("America/New_York"))
        text = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"
        assert f'<time datetime="{moment.isoformat(timespec="seconds")}">{text}</time>' in page
    assert " UTC<" not in page
    assert visitor.get_cookie("device") is not None


def test_a_second_registration_of_the_same_key_is_refused(app, client, alice):
    key = SoftKey()
    assert add_passkey(client, key).status_code == 200
    options = registration_options(client)
    excluded = [item["id"] for item in options.json["excludeCredentials"]]
    assert excluded == [passkeys(app)[0].credential_id]
    response = post(
        client, "/settings/passkeys", {"name": "x", "credential": key.create(options.json)}
    )
    assert response.status_code == 400 and "already registered" in response.json["error"]


@pytest.mark.parametrize("how", ["origin", "challenge", "replay"])
def test_registration_that_does_not_verify_is_refused(app, client, alice, how):
    key = SoftKey()
    options = registration_options(client).json
    if how == "challenge":
        options["challenge"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    credential = key.create(options, "http://evil.example" if how == "origin" else None)
    if how == "replay":
        assert post(client, "/settings/passkeys", {"credential": credential}).status_code == 200
        other = SoftKey()
        other.credential_id = b"another credential id............"
        credential = other.create(options)
    response = post(client, "/settings/passkeys", {"name": "x", "credential": credential})
    assert response.status_code == 400
    assert len(passkeys(app)) == (1 if how == "replay" else 0)


@pytest.mark.parametrize(
    "how", ["wrong_key", "origin", "not_verified", "replayed_challenge", "deleted"]
)
def test_a_passwordless_login_that_does_not_verify_is_refused(app, client, alice, how):
    key = SoftKey()
    add_passkey(client, key)
    visitor = browser(app)
    options = post(visitor, "/auth/passkey/options").json
    signer = key
    if how == "wrong_key":
        signer = SoftKey()
        signer.credential_id = key.credential_id
    elif how == "not_verified":
        key.user_verified = False
    elif how == "deleted":
        (row,) = passkeys(app)
        assert delete(client, row.id).status_code == 302
    assertion = signer.get(options, "http://evil.example" if how == "origin" else None)
    if how == "replayed_challenge":
        assert post(visitor, "/auth/passkey", assertion).status_code == 200
        visitor.post("/auth/logout")
        assertion = key.get(options)
    response = post(visitor, "/auth/passkey", assertion)
    assert response.status_code == 400 and "error" in response.json
    if how != "replayed_challenge":
        assert visitor.get("/dashboard").status_code == 302


def test_garbage_is_a_400_not_a_500(app, client, alice):
    visitor = browser(app)
    for body in ({}, {"rawId": 5}, {"rawId": "x" * 300}, {"id": "AAAA", "response": "no"}):
        post(visitor, "/auth/passkey/options")
        assert post(visitor, "/auth/passkey", body).status_code == 400
    assert visitor.post("/auth/passkey", data="not json", base_url=ORIGIN).status_code == 400
    assert post(client, "/settings/passkeys", {"credential": "{]"}).status_code == 400


def test_a_passkey_is_the_second_step_after_the_password(app, client, alice):
    key = SoftKey()
    add_passkey(client, key)
    visitor = browser(app)
    response = visitor.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/login/code"
    page = visitor.get("/auth/login/code").get_data(as_text=True)
    assert "Use a passkey" in page and 'name="code"' not in page
    options = post(visitor, "/auth/login/passkey/options").json
    assert [item["id"] for item in options["allowCredentials"]] == [passkeys(app)[0].credential_id]
    wrong = SoftKey()
    wrong.credential_id = key.credential_id
    assert post(visitor, "/auth/login/passkey", wrong.get(options)).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1
    options = post(visitor, "/auth/login/passkey/options").json
    response = post(visitor, "/auth/login/passkey", key.get(options))
    assert response.status_code == 200 and response.json["redirect"] == "/dashboard"
    assert visitor.get("/dashboard").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginChallenge)) == 0


def test_another_users_passkey_is_not_a_second_factor(app, client, alice, make_user):
    make_user("bob")
    bob = browser(app)
    bob.post("/auth/login", data={"login": "bob", "password": PASSWORD})
    bobs_key = SoftKey()
    add_passkey(bob, bobs_key)
    add_passkey(client, SoftKey())
    visitor = browser(app)
    visitor.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    options = post(visitor, "/auth/login/passkey/options").json
    assert post(visitor, "/auth/login/passkey", bobs_key.get(options)).status_code == 400
    assert visitor.get("/dashboard").status_code == 302


def test_a_passkey_logs_the_owner_in_while_untrusted_clients_are_locked(app, client, alice):
    key = SoftKey()
    add_passkey(client, key)
    attacker = browser(app)
    for _ in range(10):
        attacker.post("/auth/login", data={"login": "alice", "password": "not the password"})
    assert (
        attacker.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code
        == 429
    )
    visitor, response = passwordless(app, key)
    assert response.status_code == 200
    # The attacker's count stands.
    assert (
        attacker.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code
        == 429
    )


def test_deleting_a_passkey_is_owner_scoped(app, client, alice, make_user):
    add_passkey(client, SoftKey())
    (row,) = passkeys(app)
    make_user("bob")
    bob = browser(app)
    bob.post("/auth/login", data={"login": "bob", "password": PASSWORD})
    assert delete(bob, row.id).status_code == 404
    assert len(passkeys(app)) == 1
    assert delete(client, row.id).status_code == 302
    assert passkeys(app) == []


def test_reset_2fa_removes_passkeys_too(app, client, alice, runner):
    add_passkey(client, SoftKey())
    add_passkey(client, SoftKey(), name="Phone")
    result = runner.invoke(args=["users", "reset-2fa", "alice"])
    assert result.exit_code == 0 and "2 passkeys removed" in result.output
    assert passkeys(app) == []
    visitor = browser(app)
    response = visitor.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def challenges(app, kind):
    with app.app_context():
        query = select(func.count()).select_from(LoginChallenge).filter_by(kind=kind)
        return db.session.scalar(query)


@pytest.mark.parametrize("password", [None, "", "not the password", 12345])
def test_adding_a_passkey_needs_the_current_password(app, client, alice, password):
    body = {} if password is None else {"current_password": password}
    response = post(client, "/settings/passkeys/options", body)
    assert response.status_code == 400 and response.is_json
    expected = "not your current password" if password == "not the password" else "required"
    assert expected in response.json["error"]
    # No ceremony was started, so there is nothing a credential could be added to.
    assert challenges(app, "passkey-add") == 0
    guessed = {"rp": {"id": "localhost"}, "user": {"id": "AAAA"}, "challenge": "AAAA"}
    credential = SoftKey().create(guessed)
    assert post(client, "/settings/passkeys", {"credential": credential}).status_code == 400
    assert passkeys(app) == []
    page = client.get("/settings/").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="passkey-add-current_password"[^>]*>', page).group(0)
    assert 'type="password"' in field and 'autocomplete="current-password"' in field
    assert add_passkey(client, SoftKey()).status_code == 200
    assert len(passkeys(app)) == 1


@pytest.mark.parametrize("password", [None, "not the password"])
def test_deleting_a_passkey_needs_the_current_password(app, client, alice, password):
    add_passkey(client, SoftKey())
    (row,) = passkeys(app)
    response = delete(client, row.id, password)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    expected = "not your current password" if password else "required"
    error = re.search(
        rf'<p class="error" id="passkey-{row.id}-current_password-error">([^<]*)', page
    )
    assert error and expected in error.group(1)
    # Still there, and still the second step after the password.
    assert [kept.id for kept in passkeys(app)] == [row.id]
    visitor = browser(app)
    response = visitor.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/login/code"
    page = client.get("/settings/").get_data(as_text=True)
    field = re.search(rf'<input[^>]*id="passkey-{row.id}-current_password"[^>]*>', page).group(0)
    assert 'autocomplete="current-password"' in field
    assert f'<label for="passkey-{row.id}-current_password">Current password</label>' in page
    assert delete(client, row.id).status_code == 302
    assert passkeys(app) == []
    response = browser(app).post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def lock_untrusted_clients(app):
    attacker = browser(app)
    for _ in range(10):
        wrong = attacker.post("/auth/login", data={"login": "alice", "password": "a wrong guess"})
        assert wrong.status_code == 400
    assert (
        attacker.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code
        == 429
    )


def test_the_owner_with_a_device_cookie_passes_the_passkey_step_while_attackers_lock(
    app, client, alice
):
    key = SoftKey()
    add_passkey(client, key)
    client.post("/auth/logout")  # keeps the device cookie
    lock_untrusted_clients(app)
    response = client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/login/code"
    options = post(client, "/auth/login/passkey/options").json
    response = post(client, "/auth/login/passkey", key.get(options))
    assert response.status_code == 200 and response.json["redirect"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200


def test_the_passkey_step_is_refused_unchecked_while_untrusted_clients_are_locked(
    app, client, alice, monkeypatch
):
    key = SoftKey()
    add_passkey(client, key)
    visitor = browser(app)  # no device cookie: an untrusted client
    response = visitor.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/login/code"
    lock_untrusted_clients(app)
    options = post(visitor, "/auth/login/passkey/options").json
    verified = []
    real = passkey_service.verify_authentication_response

    def counting(**kwargs):
        verified.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(passkey_service, "verify_authentication_response", counting)
    response = post(visitor, "/auth/login/passkey", key.get(options))
    assert response.status_code == 429 and "Too many attempts" in response.json["error"]
    assert verified == []
    assert visitor.get("/dashboard").status_code == 302
    (row,) = passkeys(app)
    assert row.sign_count == 0 and row.last_used_at is None
    # The count works: the owner's device gets through, and its assertion is verified.
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    options = post(client, "/auth/login/passkey/options").json
    assert post(client, "/auth/login/passkey", key.get(options)).status_code == 200
    assert len(verified) == 1
