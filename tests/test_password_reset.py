"""Forgot password, end to end through a real SMTP server: the link comes by mail, sets a new
password once, within an hour, and ends every session. The same answer for any address, rate
limits per IP and per address, and links that a Host header cannot redirect."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from httracker import create_app
from httracker.extensions import db, limiter
from httracker.mail.delivery import deliver
from httracker.models import EmailOutbox, User, UserSession

from .conftest import PASSWORD, SITE_URL, ApiClient
from .smtp import links_in, text_of

NEW_PASSWORD = "quartz lantern meadow 42"


@pytest.fixture
def client(app):
    """A plain client: pytest-flask's keeps its last context, which other clients would share."""
    return app.test_client()


def deliver_all(app):
    with app.app_context():
        deliver()


def ask_reset(app, client, address="alice@example.com"):
    return client.post("/auth/forgot", data={"email": address})


def reset_link(app, smtp, address="alice@example.com") -> str:
    deliver_all(app)
    mails = [m for m in smtp.messages if m["To"] == address and "Reset" in m["Subject"]]
    assert mails, [m["Subject"] for m in smtp.messages]
    (link,) = [link for link in links_in(mails[-1]) if "/auth/reset/" in link]
    return link


def path_of(link: str) -> str:
    assert link.startswith(SITE_URL + "/")
    return urlsplit(link).path


def logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_the_login_page_links_to_forgot_password(client, mail_on):
    page = client.get("/auth/login").data
    assert b'href="/auth/forgot"' in page
    assert client.get("/auth/forgot").status_code == 200


def test_reset_end_to_end(app, mail_on, make_user, auth, clock, make_token):
    alice = make_user("alice")
    devices = [app.test_client(), app.test_client()]
    for device in devices:
        assert (
            device.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code
            == 302
        )
        assert logged_in(device) and device.get_cookie("device") is not None
    api = ApiClient(app.test_client(), make_token(alice.id))
    assert api.get("/api/v1/me").status_code == 200
    anonymous = app.test_client()
    response = ask_reset(app, anonymous)
    assert response.status_code == 302
    # The request only wrote to the outbox: the SMTP server has heard nothing yet.
    assert mail_on.messages == []
    with app.app_context():
        (queued,) = db.session.scalars(select(EmailOutbox)).all()
        assert (queued.kind, queued.status, queued.to_address) == (
            "reset_link",
            "pending",
            "alice@example.com",
        )
    link = reset_link(app, mail_on)
    page = anonymous.get(path_of(link))
    assert page.status_code == 200 and b"Choose a new password" in page.data
    # A weak password is refused inline and changes nothing.
    weak = anonymous.post(
        path_of(link), data={"password": "password1234", "confirm": "password1234"}
    )
    assert weak.status_code == 400
    assert api.get("/api/v1/me").status_code == 200
    done = anonymous.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    # Every session of the account is dead, and its API token.
    assert not any(logged_in(device) for device in devices)
    assert api.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0
        assert db.session.get(User, alice.id).email_verified
    # The old password no longer works; the new one does.
    assert auth.login(password=PASSWORD).status_code == 400
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    # The link is good once.
    again = anonymous.post(
        path_of(link),
        data={"password": "another fine phrase 7", "confirm": "another fine phrase 7"},
    )
    assert again.status_code == 404 and b"expired or has been used" in again.data
    assert anonymous.get(path_of(link)).status_code == 404
    # The account is told by mail.
    deliver_all(app)
    assert any("password was changed" in m["Subject"] for m in mail_on.messages)
    # The devices' cookies are trusted no more: while the account is locked for browsers it
    # has not been used in, the browser that logged in after the reset gets in; they do not.
    auth.logout()
    attacker = app.test_client()
    for _ in range(10):
        attacker.post("/auth/login", data={"login": "alice", "password": "not the password"})
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    for device in devices:
        refused = device.post("/auth/login", data={"login": "alice", "password": NEW_PASSWORD})
        assert refused.status_code == 429
        assert b"from browsers it has not been used in" in refused.data


def test_an_expired_link_fails(app, mail_on, make_user, clock, auth):
    make_user("alice")
    ask_reset(app, app.test_client())
    link = reset_link(app, mail_on)
    client = app.test_client()
    clock.advance(minutes=59)
    assert client.get(path_of(link)).status_code == 200
    clock.advance(minutes=1, seconds=1)
    assert client.get(path_of(link)).status_code == 404
    response = client.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert auth.login(password=PASSWORD).status_code == 302


def test_a_link_dies_when_the_password_changes_another_way(app, mail_on, make_user, runner):
    make_user("alice")
    ask_reset(app, app.test_client())
    link = reset_link(app, mail_on)
    with app.app_context():
        from httracker.auth.services import set_password

        set_password(db.session.scalars(select(User)).one(), "something else entirely 9")
        db.session.commit()
    assert app.test_client().get(path_of(link)).status_code == 404


@pytest.mark.parametrize("token", ["x", "a.b.c", "eyJ1IjoxfQ.AAAA.BBBB", "9" * 2000])
def test_forged_links_fail(app, mail_on, make_user, token):
    make_user("alice")
    client = app.test_client()
    assert client.get(f"/auth/reset/{token}").status_code == 404
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(f"/auth/reset/{token}", data=data).status_code == 404


def test_a_link_signed_for_another_purpose_fails(app, mail_on, make_user):
    alice = make_user("alice")
    with app.app_context():
        from httracker.mail.tokens import password_fingerprint, sign

        user = db.session.get(User, alice.id)
        token = sign("confirm", {"u": user.id, "p": password_fingerprint(user.password_hash)})
    assert app.test_client().get(f"/auth/reset/{token}").status_code == 404


def test_the_answer_is_the_same_for_unknown_addresses(app, mail_on, make_user):
    make_user("alice")
    known = ask_reset(app, app.test_client(), "alice@example.com")
    unknown = ask_reset(app, app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    pages = [app.test_client(), app.test_client()]
    for page_client, address in zip(
        pages, ("alice@example.com", "nobody@example.com"), strict=True
    ):
        ask_reset(app, page_client, address)
    # Each browser gets its own CSRF token (the form and the passkey button carry it); the rest
    # is equal.
    token = rb'(data-csrf|name="csrf_token" value)="[^"]*"'
    texts = [re.sub(token, b"", c.get("/auth/login").data) for c in pages]
    assert texts[0] == texts[1]
    deliver_all(app)
    assert [m["To"] for m in mail_on.messages] == ["alice@example.com", "alice@example.com"]


def test_reset_mails_per_address_are_limited(app, mail_on, make_user, clock):
    make_user("alice")
    for _ in range(5):
        assert ask_reset(app, app.test_client(), "ALICE@example.com").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(EmailOutbox.id))) == 3
    clock.advance(hours=1, seconds=1)
    ask_reset(app, app.test_client())
    with app.app_context():
        assert db.session.scalar(select(func.count(EmailOutbox.id))) == 4


@pytest.fixture
def limited_app(database_url, app, smtp_server):
    limited = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "AUTH_RATE_LIMIT_ENABLED": True,
            "AUTH_RATE_LIMIT": "3/minute",
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "SITE_URL": SITE_URL,
        }
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()
    limiter.reset()


def test_forgot_password_is_limited_per_ip(limited_app):
    client = limited_app.test_client()
    for number in range(3):
        response = client.post("/auth/forgot", data={"email": f"n{number}@example.com"})
        assert response.status_code == 302
    response = client.post("/auth/forgot", data={"email": "n9@example.com"})
    assert response.status_code == 429
    other = client.post(
        "/auth/forgot", data={"email": "n9@example.com"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example.com"},
        {"X-Forwarded-Host": "evil.example.com", "X-Forwarded-Proto": "http"},
        {"Host": "evil.example.com", "X-Forwarded-Host": "evil.example.com"},
    ],
)
def test_a_host_header_does_not_change_the_links(app, mail_on, make_user, headers):
    make_user("alice")
    client = app.test_client()
    client.post("/auth/forgot", data={"email": "alice@example.com"}, headers=headers)
    deliver_all(app)
    (message,) = mail_on.messages
    assert "evil" not in text_of(message) and "evil" not in message.as_string()
    assert all(link.startswith(SITE_URL + "/") for link in links_in(message))


def test_reset_audit_lines(app, mail_on, make_user, caplog):
    import json
    import logging

    make_user("alice")
    caplog.set_level(logging.INFO, logger="httracker.audit")
    ask_reset(app, app.test_client())
    ask_reset(app, app.test_client(), "nobody@example.com")
    events = [
        json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "httracker.audit"
    ]
    assert events == ["password_reset.requested", "password_reset.unknown_address"]
    assert not any("/auth/reset/" in r.getMessage() for r in caplog.records)


@pytest.fixture
def proxied_app(database_url, app, smtp_server):
    """The app behind a trusted proxy: X-Forwarded-Host is honoured for the request itself."""
    proxied = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUST_PROXY": True,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "SITE_URL": SITE_URL,
        }
    )
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_a_forwarded_host_behind_a_trusted_proxy_does_not_change_the_links(
    proxied_app, smtp_server, make_user
):
    make_user("alice")
    smtp_server.clear()
    client = proxied_app.test_client()
    headers = {"X-Forwarded-Host": "evil.example.com", "X-Forwarded-Proto": "http"}
    response = client.post("/auth/forgot", data={"email": "alice@example.com"}, headers=headers)
    assert response.status_code == 302
    with proxied_app.app_context():
        deliver()
    (message,) = smtp_server.messages
    assert "evil" not in message.as_string()
    assert all(link.startswith(SITE_URL + "/") for link in links_in(message))
