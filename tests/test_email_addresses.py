"""Confirmed addresses: registration sends a confirmation link and never tells whether an
address is taken; an email change takes effect when the new address confirms, and the old
address is told."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.mail.delivery import deliver
from httracker.models import EmailOutbox, User

from .conftest import PASSWORD, SITE_URL
from .smtp import links_in, text_of


@pytest.fixture
def client(app):
    """A plain client: pytest-flask's keeps its last context, which other clients would share."""
    return app.test_client()


def mails_to(app, smtp, address):
    with app.app_context():
        deliver()
    return [message for message in smtp.messages if message["To"] == address]


def confirm_path(message) -> str:
    (link,) = [link for link in links_in(message) if "/auth/confirm/" in link]
    assert link.startswith(SITE_URL + "/")
    return urlsplit(link).path


def account(app, username="alice") -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        db.session.expunge(user)
        return user


NEW_PASSWORD = "quartz lantern meadow 42"


def register(client, username, email, password=NEW_PASSWORD):
    data = {"username": username, "email": email, "password": password, "confirm": password}
    return client.post("/auth/register", data=data)


def test_registration_by_mail_keeps_the_chosen_time_zone(app, mail_on, client):
    data = {"username": "kenji", "email": "kenji@example.com", "timezone": "Asia/Tokyo"}
    data |= {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/auth/register", data=data).status_code == 200
    assert account(app, "kenji").timezone == "Asia/Tokyo"


def test_registration_sends_a_confirmation_link(app, mail_on, client):
    response = register(client, "carol", "Carol@Example.com")
    assert response.status_code == 200 and b"Check your email" in response.data
    assert client.get("/dashboard").status_code == 302  # not logged in
    carol = account(app, "carol")
    assert carol.email == "carol@example.com" and not carol.email_verified
    (message,) = mails_to(app, mail_on, "carol@example.com")
    path = confirm_path(message)
    page = client.get(path)
    assert page.status_code == 200 and b"carol@example.com" in page.data
    assert not account(app, "carol").email_verified  # a GET confirms nothing
    assert client.post(path).status_code == 302
    assert account(app, "carol").email_verified
    # Logging in works; the link keeps working harmlessly.
    login = client.post(
        "/auth/login", data={"login": "carol", "password": "quartz lantern meadow 42"}
    )
    assert login.status_code == 302


def test_registering_a_taken_address_looks_the_same_and_tells_its_owner(app, mail_on, make_user):
    make_user("alice")
    fresh = register(app.test_client(), "dave", "dave@example.com")
    taken = register(app.test_client(), "mallory", "ALICE@example.com")
    assert fresh.status_code == taken.status_code == 200
    assert fresh.data.replace(b"dave@example.com", b"X") == taken.data.replace(
        b"alice@example.com", b"X"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2  # alice and dave, no mallory
    (notice,) = mails_to(app, mail_on, "alice@example.com")
    assert "tried to sign up" in notice["Subject"]
    assert "/auth/forgot" in text_of(notice)
    assert "/auth/confirm/" not in text_of(notice)


def test_without_mail_a_taken_address_is_still_said_at_registration(app, make_user):
    make_user("alice")
    response = register(app.test_client(), "mallory", "alice@example.com")
    assert response.status_code == 400 and b"already exists" in response.data


def test_a_confirmation_can_be_sent_again_from_the_settings(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    page = auth.client.get("/settings/").data
    assert b"Send the confirmation link again" in page
    assert auth.client.post("/settings/email/confirm").status_code == 302
    (message,) = mails_to(app, mail_on, "alice@example.com")
    assert auth.client.post(confirm_path(message)).status_code == 302
    assert account(app).email_verified
    assert b"(confirmed)" in auth.client.get("/settings/").data
    # Once confirmed, asking again sends nothing.
    auth.client.post("/settings/email/confirm")
    assert len(mails_to(app, mail_on, "alice@example.com")) == 1


def change_email(client, address):
    return client.post("/settings/email", data={"email": address, "current_password": PASSWORD})


def test_an_email_change_takes_effect_when_the_new_address_confirms(app, mail_on, make_user, auth):
    make_user("alice", email_verified=True)
    auth.login()
    assert change_email(auth.client, "New@Example.com").status_code == 302
    alice = account(app)
    assert alice.email == "alice@example.com" and alice.pending_email == "new@example.com"
    # Still the old address for login until the new one confirms.
    (message,) = mails_to(app, mail_on, "new@example.com")
    path = confirm_path(message)
    other = app.test_client()
    assert other.post(path).status_code == 302  # no login needed: the link is the proof
    alice = account(app)
    assert alice.email == "new@example.com" and alice.pending_email is None
    assert alice.email_verified
    (notice,) = mails_to(app, mail_on, "alice@example.com")
    assert "changed" in notice["Subject"] and "new@example.com" in text_of(notice)
    # The link is spent: the pending address is gone.
    assert other.get(path).status_code == 404


def test_changing_to_a_taken_address_looks_the_same_and_tells_its_owner(app, mail_on, make_user):
    make_user("alice", email_verified=True)
    make_user("carol", email_verified=True)
    bob = make_user("bob", email_verified=True)
    answers = {}
    for username, address in (("carol", "free@example.com"), ("alice", "Bob@Example.com")):
        browser = app.test_client()
        browser.post("/auth/login", data={"login": username, "password": PASSWORD})
        response = change_email(browser, address)
        assert response.status_code == 302
        page = browser.get(response.headers["Location"]).get_data(as_text=True)
        shown = address.lower()
        assert f"Follow the link sent to {shown} to confirm the change." in page
        assert f"Waiting for {shown} to confirm." in page
        assert "already exists" not in page
        answers[username] = response.headers["Location"]
    assert answers["alice"] == answers["carol"]
    # Nothing changes hands: both accounts keep their addresses.
    alice, owner = account(app), account(app, "bob")
    assert (alice.email, alice.email_verified) == ("alice@example.com", True)
    assert (owner.email, owner.pending_email) == ("bob@example.com", None)
    # The address's owner is told, and no confirmation link goes anywhere but the free address.
    (notice,) = mails_to(app, mail_on, "bob@example.com")
    assert "your address on another" in notice["Subject"]
    assert "/auth/forgot" in text_of(notice) and "/auth/confirm/" not in text_of(notice)
    links = [link for m in mail_on.messages for link in links_in(m) if "/auth/confirm/" in link]
    assert len(links) == 1 and mails_to(app, mail_on, "free@example.com")
    assert mails_to(app, mail_on, "alice@example.com") == []
    with app.app_context():
        kinds = db.session.scalars(select(EmailOutbox.kind).where(EmailOutbox.user_id == bob.id))
        assert list(kinds) == ["change_attempt"]


def test_the_owner_of_a_taken_address_is_told_a_few_times_an_hour(
    app, mail_on, make_user, auth, clock
):
    make_user("alice")
    make_user("bob")
    auth.login()
    for _ in range(5):
        assert change_email(auth.client, "bob@example.com").status_code == 302
    assert len(mails_to(app, mail_on, "bob@example.com")) == 3
    clock.advance(hours=1, seconds=1)
    change_email(auth.client, "bob@example.com")
    assert len(mails_to(app, mail_on, "bob@example.com")) == 4


def test_changing_to_ones_own_address_is_an_inline_error(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    response = change_email(auth.client, "Alice@example.com")
    assert response.status_code == 400 and b"That is your address already." in response.data
    assert account(app).pending_email is None
    assert mails_to(app, mail_on, "alice@example.com") == []


def test_without_mail_a_taken_address_is_still_said_at_an_email_change(app, make_user, auth):
    make_user("alice")
    make_user("bob")
    auth.login()
    response = change_email(auth.client, "bob@example.com")
    assert response.status_code == 400 and b"An account with that email already exists." in (
        response.data
    )
    assert account(app).email == "alice@example.com" and account(app).pending_email is None
    with app.app_context():
        assert db.session.scalar(select(func.count(EmailOutbox.id))) == 0


def test_a_newer_change_voids_the_older_link(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    change_email(auth.client, "first@example.com")
    change_email(auth.client, "second@example.com")
    (first,) = mails_to(app, mail_on, "first@example.com")
    assert app.test_client().post(confirm_path(first)).status_code == 404
    assert account(app).email == "alice@example.com"


def test_an_address_taken_meanwhile_is_refused_at_confirmation(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    change_email(auth.client, "shared@example.com")
    make_user("bob", email="shared@example.com")
    (message,) = mails_to(app, mail_on, "shared@example.com")
    response = app.test_client().post(confirm_path(message))
    assert response.status_code == 404
    assert account(app).email == "alice@example.com"


def test_confirmation_links_expire_and_cannot_be_forged(app, mail_on, make_user, clock):
    register(app.test_client(), "carol", "carol@example.com")
    (message,) = mails_to(app, mail_on, "carol@example.com")
    path = confirm_path(message)
    clock.advance(days=2, seconds=1)
    assert app.test_client().post(path).status_code == 404
    assert app.test_client().post(path[:-3] + "AAA").status_code == 404
    assert not account(app, "carol").email_verified


def test_an_account_deleted_takes_its_outbox_with_it(app, mail_on, make_user, auth):
    make_user("alice")
    auth.login()
    auth.client.post("/settings/email/confirm")
    auth.client.post(
        "/settings/delete", data={"current_password": PASSWORD, "confirm_username": "alice"}
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(EmailOutbox.id))) == 0
