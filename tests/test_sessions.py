"""Device sessions: a login is a database row, and ending the row ends the login everywhere."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from httracker.auth.sessions import describe_agent, load_session_user, revoke_sessions
from httracker.extensions import db
from httracker.models import Habit, User, UserSession, utcnow

from .conftest import PASSWORD


@pytest.fixture
def client(app):
    """A client that keeps no context after a request: pytest-flask's keeps the last one pushed,
    and a second client's request would then share its `g` and database session."""
    return app.test_client()


def session_rows(app, user_id=None):
    with app.app_context():
        query = select(UserSession).order_by(UserSession.id)
        if user_id is not None:
            query = query.where(UserSession.user_id == user_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def cookie_token(app, client) -> str:
    """The Flask-Login id stored in the signed session cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value)["_user_id"]


def login_client(app, login="alice", remember=False, agent="pytest"):
    client = app.test_client()
    data = {"login": login, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data, headers={"User-Agent": agent})
    assert response.status_code == 302
    return client


def is_logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def age_sessions(app, **delta):
    """Move every session's timestamps back by `delta`, as if time had passed."""
    with app.app_context():
        rows = db.session.scalars(select(UserSession))
        for row in rows:
            row.created_at -= timedelta(**delta)
            row.last_seen_at -= timedelta(**delta)
        db.session.commit()


def test_login_stores_only_a_hash_of_the_random_token(app, client, user):
    token = cookie_token(app, client)
    (row,) = session_rows(app)
    assert len(token) >= 40 and token != str(user.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.user_id == user.id and row.ip == "127.0.0.1"


def test_each_login_makes_its_own_row(app, make_user):
    make_user("alice")
    first, second = login_client(app), login_client(app)
    assert len(session_rows(app)) == 2
    assert cookie_token(app, first) != cookie_token(app, second)


def test_login_clears_the_session_from_before(app, client, make_user, auth):
    make_user("alice")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    auth.login()
    with client.session_transaction() as after:
        assert "planted" not in after


def test_session_cookie_replayed_after_logout_lands_on_login(app, client, user, auth):
    stolen = client.get_cookie("session").value
    assert is_logged_in(client)
    auth.logout()
    assert session_rows(app) == []
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_remember_cookie_replayed_after_logout_lands_on_login(app, make_user):
    make_user("alice")
    client = login_client(app, remember=True)
    remembered = client.get_cookie("remember_token").value
    # The remember-me cookie alone logs in while the session exists ...
    before = app.test_client()
    before.set_cookie("remember_token", remembered)
    assert is_logged_in(before)
    client.post("/auth/logout")
    # ... and not after logout.
    after = app.test_client()
    after.set_cookie("remember_token", remembered)
    assert after.get("/dashboard").status_code == 302


def test_sessions_page_lists_devices_and_marks_this_one(app, client, make_user, auth):
    make_user("alice")
    login_client(
        app, agent="Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
    )
    auth.login()
    page = client.get("/settings/sessions").get_data(as_text=True)
    assert "Firefox on Linux" in page
    assert page.count("(this device)") == 1
    assert "127.0.0.1" in page
    assert "Log out all other devices" in page


def test_revoking_a_device_logs_it_out_and_keeps_this_one(app, client, make_user, auth):
    make_user("alice")
    other = login_client(app)
    auth.login()
    other_id = session_rows(app)[0].id
    response = client.post(f"/settings/sessions/{other_id}/revoke")
    assert response.headers["Location"] == "/settings/sessions"
    assert not is_logged_in(other)
    assert is_logged_in(client)


def test_revoking_this_device_logs_out(app, client, user):
    (row,) = session_rows(app)
    response = client.post(f"/settings/sessions/{row.id}/revoke")
    assert response.headers["Location"] == "/auth/login"
    assert not is_logged_in(client)


def test_another_users_session_cannot_be_revoked(app, client, make_user, user):
    make_user("bob")
    bobs_client = login_client(app, "bob")
    bobs_row = session_rows(app, user_id=None)[-1]
    assert client.post(f"/settings/sessions/{bobs_row.id}/revoke").status_code == 404
    assert client.post("/settings/sessions/999999/revoke").status_code == 404
    assert is_logged_in(bobs_client)


def test_revoke_others_keeps_only_this_device(app, client, make_user, auth):
    alice = make_user("alice")
    others = [login_client(app) for _ in range(3)]
    auth.login()
    make_user("bob")
    bob = login_client(app, "bob")
    response = client.post("/settings/sessions/revoke-others")
    assert response.status_code == 302
    assert not any(is_logged_in(other) for other in others)
    assert is_logged_in(client) and is_logged_in(bob)
    assert len(session_rows(app, alice.id)) == 1


def test_revoke_sessions_for_the_cli_ends_every_session(app, make_user):
    alice = make_user("alice")
    clients = [login_client(app) for _ in range(2)]
    with app.app_context():
        assert revoke_sessions(db.session.get(User, alice.id)) == 2
        db.session.commit()
    assert not any(is_logged_in(client) for client in clients)


@pytest.mark.parametrize(
    ("remember", "age", "alive"),
    [
        (False, {"hours": 11}, True),
        (False, {"hours": 13}, False),
        (True, {"days": 29}, True),
        (True, {"days": 31}, False),
    ],
)
def test_idle_timeout_depends_on_remember_me(app, make_user, remember, age, alive):
    make_user("alice")
    client = login_client(app, remember=remember)
    age_sessions(app, **age)
    assert is_logged_in(client) is alive


def test_absolute_limit_ends_even_an_active_session(app, make_user):
    make_user("alice")
    client = login_client(app, remember=True)
    with app.app_context():
        db.session.execute(
            update(UserSession).values(
                created_at=utcnow() - timedelta(days=91), last_seen_at=utcnow()
            )
        )
        db.session.commit()
    assert not is_logged_in(client)


def test_last_seen_is_touched_at_most_once_a_minute(app, client, user):
    (row,) = session_rows(app)
    client.get("/dashboard")
    assert session_rows(app)[0].last_seen_at == row.last_seen_at
    age_sessions(app, minutes=2)
    aged = session_rows(app)[0].last_seen_at
    client.get("/dashboard")
    assert session_rows(app)[0].last_seen_at > aged


def test_the_last_seen_touch_commits_nothing_else(app, client, user):
    """The touch has a transaction of its own: a change the request holds but has not committed
    is neither saved with it nor lost by it."""
    age_sessions(app, minutes=2)
    aged = session_rows(app)[0].last_seen_at
    token = cookie_token(app, client)
    with app.test_request_context(), db.session.no_autoflush:
        half_done = Habit(user_id=user.id, name="Half-done")  # someone's half-done work
        db.session.add(half_done)
        assert load_session_user(token).id == user.id
        assert half_done in db.session.new
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Habit)) == 0
    assert session_rows(app)[0].last_seen_at > aged


def test_a_forged_or_oversized_token_is_anonymous(app, client, user):
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = str(user.id)  # the old style of id no longer works
    assert not is_logged_in(client)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = "x" * 5000
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0 Safari/537.36 Edg/130.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        ("curl/8.5.0", "curl"),
        ("", "Unknown device"),
    ],
)
def test_user_agents_are_described_in_words(agent, described):
    assert describe_agent(agent) == described
