"""Two-factor login with TOTP: enrolment, the second login step, the ±1 step window, replay,
recovery codes, turning it off, and the lockout rules for wrong codes."""

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from httracker.auth import totp
from httracker.extensions import db
from httracker.models import LoginChallenge, LoginFailure, RecoveryCode, User

from .conftest import PASSWORD

T0 = 1_800_000_000  # a step boundary: 1_800_000_000 / 30 = 60_000_000


class Clock:
    def __init__(self):
        self.now = float(T0 + 5)

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(totp, "time", fake)
    return fake


@pytest.fixture
def client(app):
    """A client that keeps no context after a request (see test_sessions.py)."""
    return app.test_client()


def code_at(secret, when):
    return pyotp.TOTP(secret).at(int(when))


def enrol(client):
    page = client.get("/settings/2fa").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', page).group(1)
    return secret, page


def enable(client, clock):
    secret, _ = enrol(client)
    response = client.post("/settings/2fa", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def stored(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def password_step(client, login="alice"):
    return client.post("/auth/login", data={"login": login, "password": PASSWORD})


@pytest.fixture
def alice(app, make_user, client):
    user = make_user("alice")
    assert password_step(client).status_code == 302
    return user


def test_enrolment_shows_an_inline_svg_qr_code_and_needs_one_right_code(app, client, alice, clock):
    secret, page = enrol(client)
    main = page.split("<main")[1]
    assert '<svg role="img" aria-label="QR code"' in main and "<img" not in main
    assert "style=" not in main and "<script" not in main
    # The QR code carries the key the page shows, for this account and site.
    uri = pyotp.TOTP(secret).provisioning_uri(name="alice", issuer_name="HT-Tracker")
    assert str(totp.qr_svg(uri)) in page
    wrong = client.post("/settings/2fa", data={"code": code_at(secret, clock.now - 90)})
    assert wrong.status_code == 400 and totp.WRONG_CODE in wrong.get_data(as_text=True)
    assert stored(app, alice.id).totp_secret is None
    # Reloading the page keeps the pending key, so a scanned code stays valid.
    assert enrol(client)[0] == secret
    response = client.post("/settings/2fa", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){5}[A-HJ-NP-Z2-9]{4}", code) for code in codes)
    assert stored(app, alice.id).totp_secret == secret
    with app.app_context():
        hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    expected = {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert hashes == expected
    assert "10 of 10 recovery codes unused" in client.get("/settings/").get_data(as_text=True)


def log_in_with_code(app, code, login="alice"):
    browser = app.test_client()
    response = password_step(browser, login)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login/code"
    assert browser.get("/dashboard").status_code == 302  # not logged in yet
    return browser, browser.post("/auth/login/code", data={"code": code})


def test_login_asks_for_the_code_after_the_password(app, client, alice, clock):
    secret, _ = enable(client, clock)
    clock.now += 30
    browser, response = log_in_with_code(app, code_at(secret, clock.now))
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert browser.get("/dashboard").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginChallenge)) == 0


def test_a_code_is_accepted_one_step_either_side_and_no_further(app, client, alice, clock):
    secret, _ = enable(client, clock)
    for offset, accepted in ((-60, False), (60, False), (-30, True), (30, True)):
        clock.now += 120  # every try a fresh step, later than any used before
        browser, response = log_in_with_code(app, code_at(secret, clock.now + offset))
        assert (response.status_code == 302) is accepted, offset


def test_a_used_code_or_an_older_one_is_refused(app, client, alice, clock):
    secret, _ = enable(client, clock)
    # The code that turned it on was spent then.
    _, response = log_in_with_code(app, code_at(secret, clock.now))
    assert response.status_code == 400
    clock.now += 30
    code = code_at(secret, clock.now)
    assert log_in_with_code(app, code)[1].status_code == 302
    assert log_in_with_code(app, code)[1].status_code == 400
    # The step before is inside the window but older than the one used.
    assert log_in_with_code(app, code_at(secret, clock.now - 30))[1].status_code == 400
    assert log_in_with_code(app, code_at(secret, clock.now + 30))[1].status_code == 302


def test_recovery_codes_work_once_and_are_replaced_when_renewed(app, client, alice, clock):
    _, codes = enable(client, clock)
    assert log_in_with_code(app, codes[0].lower().replace("-", " "))[1].status_code == 302
    assert log_in_with_code(app, codes[0])[1].status_code == 400
    assert "9 of 10 recovery codes unused" in client.get("/settings/").get_data(as_text=True)
    response = client.post("/settings/2fa/recovery-codes", data={"current_password": PASSWORD})
    assert response.status_code == 200
    fresh = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert log_in_with_code(app, codes[1])[1].status_code == 400
    assert log_in_with_code(app, fresh[1])[1].status_code == 302
    wrong = client.post("/settings/2fa/recovery-codes", data={"current_password": "nope nope"})
    assert wrong.status_code == 400


def test_turning_it_off_needs_the_password_and_a_code(app, client, alice, clock):
    secret, _ = enable(client, clock)
    clock.now += 30
    code = code_at(secret, clock.now)
    for data in (
        {"current_password": "wrong password!", "code": code},
        {"current_password": PASSWORD, "code": "000000" if code != "000000" else "111111"},
        {"current_password": PASSWORD},
    ):
        assert client.post("/settings/2fa/disable", data=data).status_code == 400
        assert stored(app, alice.id).totp_secret == secret
    response = client.post(
        "/settings/2fa/disable", data={"current_password": PASSWORD, "code": code}
    )
    assert response.status_code == 302
    assert stored(app, alice.id).totp_secret is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert password_step(app.test_client()).headers["Location"] == "/dashboard"


def test_wrong_codes_count_towards_the_lockout(app, client, alice, clock, monkeypatch):
    secret, _ = enable(client, clock)
    browser = app.test_client()
    password_step(browser)
    for _ in range(10):
        assert browser.post("/auth/login/code", data={"code": "12345"}).status_code == 400
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(
                LoginFailure.user_id == alice.id, LoginFailure.device.is_(None)
            )
        )
    assert count == 10
    clock.now += 30
    checks = []
    monkeypatch.setattr(totp, "check_totp", lambda *args: checks.append(args) or True)
    response = browser.post("/auth/login/code", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 429 and checks == []
    # And so is the password step, without a password check.
    calls = []
    monkeypatch.setattr(
        "httracker.auth.services.verify_password", lambda *a: calls.append(a) or True
    )
    assert password_step(app.test_client()).status_code == 429 and calls == []


@pytest.mark.parametrize("holder", ["stolen_session", "device"])
def test_wrong_codes_to_turn_it_off_count_towards_the_lockout(
    app, client, alice, clock, monkeypatch, holder
):
    """With the session and the password, the code still cannot be guessed: wrong codes here
    count like wrong codes at the login's second step, then nothing is checked at all."""
    secret, _ = enable(client, clock)
    if holder == "stolen_session":
        # The session cookie without the browser's device cookie: an untrusted client.
        client.delete_cookie("device")
        limit = app.config["LOCKOUT_FAILURES"]
    else:
        limit = app.config["DEVICE_LOCKOUT_FAILURES"]
    wrong = {"current_password": PASSWORD, "code": "12345"}
    for _ in range(limit):
        response = client.post("/settings/2fa/disable", data=wrong)
        assert response.status_code == 400 and totp.WRONG_CODE in response.get_data(as_text=True)
    with app.app_context():
        devices = set(db.session.scalars(select(LoginFailure.device)))
    assert (devices == {None}) is (holder == "stolen_session") and len(devices) == 1
    clock.now += 30
    code_checks, password_checks = [], []
    monkeypatch.setattr(totp, "check_totp", lambda *args: code_checks.append(args) or True)
    monkeypatch.setattr(
        "httracker.auth.services.verify_password", lambda *a: password_checks.append(a) or True
    )
    right = {"current_password": PASSWORD, "code": code_at(secret, clock.now)}
    response = client.post("/settings/2fa/disable", data=right)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert code_checks == [] and password_checks == []
    assert stored(app, alice.id).totp_secret == secret
    monkeypatch.undo()
    # The same lock as the login's: untrusted clients are refused there too, the owner's
    # device is not (and a device's own count locks nobody else).
    stranger = password_step(app.test_client())
    assert stranger.status_code == (429 if holder == "stolen_session" else 302)


def test_the_owner_with_a_device_cookie_logs_in_with_a_code_while_attackers_lock(
    app, client, alice, clock
):
    secret, _ = enable(client, clock)
    client.post("/auth/logout")  # keeps the device cookie
    attacker = app.test_client()
    for _ in range(10):
        wrong = attacker.post("/auth/login", data={"login": "alice", "password": "a wrong guess"})
        assert wrong.status_code == 400
    assert password_step(attacker).status_code == 429
    response = password_step(client)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login/code"
    clock.now += 30
    response = client.post("/auth/login/code", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    # The attackers' lock stands.
    assert password_step(attacker).status_code == 429


def test_the_second_step_expires_and_needs_a_started_login(app, client, alice, clock):
    secret, _ = enable(client, clock)
    stranger = app.test_client()
    response = stranger.post("/auth/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    browser = app.test_client()
    password_step(browser)
    with app.app_context():
        row = db.session.scalar(select(LoginChallenge))
        assert row.user_id == alice.id and row.kind == "login"
        row.created_at -= timedelta(minutes=6)
        db.session.commit()
    clock.now += 30
    response = browser.post("/auth/login/code", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert browser.get("/dashboard").status_code == 302


def test_reset_2fa_for_operators(app, client, alice, clock, runner):
    enable(client, clock)
    result = runner.invoke(args=["users", "reset-2fa", "alice"])
    assert result.exit_code == 0, result.output
    assert stored(app, alice.id).totp_secret is None
    assert password_step(app.test_client()).headers["Location"] == "/dashboard"
    again = runner.invoke(args=["users", "reset-2fa", "alice"])
    assert again.exit_code == 1 and "no two-factor login" in again.output


def test_a_concurrent_replay_is_refused_by_the_database(app, alice, clock):
    """The conditional UPDATE: a second request holding a stale copy of the account cannot
    spend the step the first one spent."""
    with app.app_context():
        user = db.session.get(User, alice.id)
        user.totp_secret, user.totp_last_step = pyotp.random_base32(), None
        db.session.commit()
        stale = db.session.get(User, alice.id)
        step = totp.current_step(clock.now)
        assert totp.spend_step(stale, step)
        stale.totp_last_step = None  # as if read before the first spend
        assert not totp.spend_step(stale, step)
