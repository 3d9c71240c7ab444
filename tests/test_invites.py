"""Registration policy: open, by single-use invitation codes, or closed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from httracker.auth.invites import hash_code, parse_duration
from httracker.extensions import db
from httracker.models import Invite, User, utcnow

from .conftest import PASSWORD


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


@pytest.fixture
def policy(app, monkeypatch):
    def set_policy(value):
        monkeypatch.setitem(app.config, "REGISTRATION", value)

    return set_policy


def register(client, username="alice", invite=None):
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    if invite is not None:
        data["invite"] = invite
    return client.post("/auth/register", data=data)


def users(app):
    with app.app_context():
        return list(db.session.scalars(select(User.username).order_by(User.id)))


def create_codes(runner, *args):
    result = runner.invoke(args=["invites", "create", *args])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if not line.startswith("Note:")]


def test_open_registration_needs_no_code(app, client, policy):
    policy("open")
    page = client.get("/auth/register").get_data(as_text=True)
    assert "Invitation code" not in page
    assert register(client).status_code == 302
    assert users(app) == ["alice"]


def test_a_closed_site_says_so_without_a_form(app, client, policy):
    policy("closed")
    for response in (client.get("/auth/register"), register(client)):
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "Registration is closed" in page and "<form" not in page.split("<main")[1]
    assert users(app) == []


def test_an_invitation_opens_one_account_only(app, client, runner, policy):
    policy("invite")
    assert "Invitation code" in client.get("/auth/register").get_data(as_text=True)
    (code,) = create_codes(runner)
    assert len(code) >= 20
    response = register(client, "alice")
    assert response.status_code == 400 and "invitation code is not valid" in response.get_data(
        as_text=True
    )
    assert register(client, "alice", "not-a-code").status_code == 400
    assert users(app) == []
    assert register(client, "alice", code).status_code == 302
    other = app.test_client()
    response = register(other, "bob", code)
    assert response.status_code == 400 and "has been used" in response.get_data(as_text=True)
    assert users(app) == ["alice"]
    with app.app_context():
        invite = db.session.scalar(select(Invite))
        assert invite.code_hash == hash_code(code) and invite.used_at is not None
        assert invite.used_by_id == db.session.scalar(select(User.id))
        # Only the hash is stored.
        assert code not in (invite.code_hash,)


def test_an_expired_invitation_is_refused(app, client, runner, policy):
    policy("invite")
    (code,) = create_codes(runner, "--expires", "1h")
    with app.app_context():
        invite = db.session.scalar(select(Invite))
        assert abs(invite.expires_at - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
        invite.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert register(client, "alice", code).status_code == 400
    assert users(app) == []


def test_list_and_revoke(app, client, runner, policy):
    policy("invite")
    codes = create_codes(runner, "--count", "3", "--expires", "never")
    assert len(set(codes)) == 3
    assert register(client, "alice", codes[0]).status_code == 302
    listing = runner.invoke(args=["invites", "list"]).output
    assert listing.count(" open ") == 2 and listing.count(" used ") == 1
    assert all(code not in listing for code in codes)
    with app.app_context():
        ids = dict(db.session.execute(select(Invite.code_hash, Invite.id)).all())
    result = runner.invoke(args=["invites", "revoke", str(ids[hash_code(codes[1])])])
    assert result.exit_code == 0, result.output
    used = runner.invoke(args=["invites", "revoke", str(ids[hash_code(codes[0])])])
    assert used.exit_code == 1 and "No unused invitation" in used.output
    assert register(app.test_client(), "bob", codes[1]).status_code == 400
    assert register(app.test_client(), "carol", codes[2]).status_code == 302
    assert users(app) == ["alice", "carol"]


def test_create_refuses_a_bad_duration(runner):
    result = runner.invoke(args=["invites", "create", "--expires", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("2w", timedelta(weeks=2)),
        ("never", None),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def test_a_deleted_account_leaves_its_spent_invitation(app, client, runner, policy):
    policy("invite")
    (code,) = create_codes(runner)
    register(client, "alice", code)
    assert runner.invoke(args=["users", "delete", "alice", "--yes"]).exit_code == 0
    with app.app_context():
        invite = db.session.scalar(select(Invite))
        assert invite.used_by_id is None and invite.used_at is not None


def test_registration_by_mail_needs_and_spends_a_code_for_new_and_taken_addresses(
    app, client, policy, runner, mail_on, make_user
):
    """With mail on, registering a taken address must not answer differently from a new one:
    both need a good code and both spend it."""
    policy("invite")
    make_user("bob")
    for email in ("carol@example.com", "bob@example.com"):
        data = {"username": "carol", "email": email, "password": PASSWORD, "confirm": PASSWORD}
        refused = client.post("/auth/register", data={**data, "invite": "not-a-code"})
        assert refused.status_code == 400 and b"not valid" in refused.data
    new_code, taken_code = create_codes(runner, "--count", "2")
    answers = []
    attempts = (("carol", "carol@example.com", new_code), ("dora", "bob@example.com", taken_code))
    for username, email, code in attempts:
        data = {"username": username, "email": email, "password": PASSWORD, "confirm": PASSWORD}
        answer = client.post("/auth/register", data={**data, "invite": code})
        assert answer.status_code == 200
        answers.append(answer.get_data(as_text=True).replace(email, "X"))
    assert answers[0] == answers[1]
    with app.app_context():
        assert sorted(users(app)) == ["bob", "carol"]
        spent = db.session.scalars(select(Invite).order_by(Invite.id)).all()
        assert [invite.used_at is not None for invite in spent] == [True, True]
    again = client.post(
        "/auth/register",
        data={
            "username": "dave",
            "email": "dave@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "invite": new_code,
        },
    )
    assert again.status_code == 400 and users(app) == ["bob", "carol"]
