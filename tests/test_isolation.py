"""Every URL that takes an id answers another user's id exactly like a missing one."""

import re
import zlib
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from httracker import create_app
from httracker.extensions import db
from httracker.habits.days import add_break
from httracker.mail.tokens import sign
from httracker.models import (
    ApiToken,
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitLog,
    HabitSkip,
    ImportPreview,
    Passkey,
    User,
    utcnow,
)
from httracker.portability.previews import PREVIEW_LIFETIME
from httracker.timeutil import today_in

from .conftest import PASSWORD

ID_ARGUMENTS = {"habit_id", "log_id", "break_id", "passkey_id", "preview_id", "token_id"}
# The API's routes answer bearer tokens, not the cookie: tests/test_api_access.py covers them.
API_PREFIX = "/api/"
MISSING_ID = 987654


def id_routes():
    """(rule, method) for every web route of the app taking a habit, log, break or token id."""
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.arguments & ID_ARGUMENTS and not rule.rule.startswith(API_PREFIX):
            routes.extend((rule.rule, method) for method in sorted(rule.methods & {"GET", "POST"}))
    return sorted(routes)


ROUTES = id_routes()


def test_the_matrix_covers_every_id_route():
    rules = {rule for rule, _ in ROUTES}
    assert {
        "/habits/<int:habit_id>",
        "/habits/<int:habit_id>/edit",
        "/habits/<int:habit_id>/archive",
        "/habits/<int:habit_id>/unarchive",
        "/habits/<int:habit_id>/delete",
        "/habits/<int:habit_id>/log",
        "/logs/<int:log_id>/edit",
        "/logs/<int:log_id>/delete",
        "/habits/<int:habit_id>/check",
        "/habits/<int:habit_id>/uncheck",
        "/habits/<int:habit_id>/skip",
        "/habits/<int:habit_id>/unskip",
        "/settings/breaks/<int:break_id>/delete",
        "/settings/passkeys/<int:passkey_id>/delete",
        "/habits/<int:habit_id>/days/<day>",
        "/habits/<int:habit_id>/move",
        "/settings/import/<int:preview_id>",
        "/settings/import/<int:preview_id>/mapping",
        "/settings/import/<int:preview_id>/confirm",
        "/settings/import/<int:preview_id>/cancel",
        "/settings/tokens/<int:token_id>/revoke",
    } <= rules
    assert len(ROUTES) >= 25


def snapshot(app):
    with app.app_context():
        habits = [
            (h.id, h.user_id, h.name, h.category, h.target_minutes, h.target_period, h.archived)
            + (h.reminder_time, h.reminder_days)
            for h in db.session.scalars(select(Habit).order_by(Habit.id))
        ]
        logs = [
            (log.id, log.user_id, log.habit_id, log.date, log.minutes, log.note)
            for log in db.session.scalars(select(HabitLog).order_by(HabitLog.id))
        ]
        days = [
            (entry.id, entry.user_id, entry.habit_id, entry.date, entry.note)
            for model in (HabitCheck, HabitSkip)
            for entry in db.session.scalars(select(model).order_by(model.id))
        ]
        breaks = [
            (entry.id, entry.user_id, entry.start_date, entry.end_date, entry.note)
            for entry in db.session.scalars(select(HabitBreak).order_by(HabitBreak.id))
        ]
        links = db.session.execute(select(HabitBreakHabit.__table__)).all()
        passkeys = db.session.execute(
            select(Passkey.id, Passkey.user_id, Passkey.name).order_by(Passkey.id)
        ).all()
        previews = db.session.execute(
            select(ImportPreview.id, ImportPreview.user_id, ImportPreview.mapping)
        ).all()
        tokens = db.session.execute(select(ApiToken.id, ApiToken.user_id)).all()
        return habits, logs, days, breaks, sorted(links), passkeys, sorted(previews), sorted(tokens)


@pytest.fixture
def two_users(app, make_user, make_habit, make_log, make_token, auth):
    """Alice (logged in) and Bob, each with a habit and a log, a check habit checked and
    skipped on one day, a break and an API token; returns their ids."""
    alice, bob = make_user("alice"), make_user("bob")
    day = today_in("UTC") - timedelta(days=1)
    ids = {}
    for owner in (alice, bob):
        habit_id = make_habit(owner.id, "Reading")
        archived_id = make_habit(owner.id, "Old", archived=True)
        ids[owner.username] = {
            "habit_id": habit_id,
            "archived_id": archived_id,
            "log_id": make_log(owner.id, habit_id, day, 30, note="private"),
            "check_habit_id": make_habit(owner.id, "Stretch", kinds={"kind": "check"}),
        }
        ids[owner.username]["break_id"] = add_day_entries(
            app, owner.id, ids[owner.username]["check_habit_id"], day
        )
        ids[owner.username]["preview_id"] = add_preview(app, owner.id, day)
        make_token(owner.id)
        with app.app_context():
            ids[owner.username]["token_id"] = db.session.scalar(
                select(ApiToken.id).where(ApiToken.user_id == owner.id)
            )
    auth.login("alice")
    auth.client.get("/habits/")  # shows (and so clears) the login message
    # Added after the login: with a passkey, a password alone no longer logs in.
    for owner in (alice, bob):
        ids[owner.username]["passkey_id"] = add_passkey(app, owner.id)
    return ids


def add_passkey(app, user_id: int) -> int:
    with app.app_context():
        row = Passkey(
            user_id=user_id, credential_id=f"cred-{user_id}", public_key="key", name="Laptop"
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def add_day_entries(app, user_id: int, habit_id: int, day) -> int:
    """A check and a skip of the habit on `day`, and a break for it; returns the break's id."""
    with app.app_context():
        owner = db.session.get(User, user_id)
        habit = db.session.get(Habit, habit_id)
        for model in (HabitCheck, HabitSkip):
            db.session.add(model(user_id=user_id, habit_id=habit_id, date=day, note="private"))
        entry = add_break(owner, day, day + timedelta(days=3), [habit], "private")
        db.session.commit()
        return entry.id


def add_preview(app, user_id: int, day) -> int:
    """A Toggl Track export waiting for its confirmation (a private project, 25 minutes)."""
    header = (
        "User,Email,Client,Project,Description,Start date,Start time,End date,End time,Duration"
    )
    row = f"A,a@example.com,,private,,{day},10:00:00,{day},10:25:00,00:25:00"
    with app.app_context():
        now = utcnow()
        preview = ImportPreview(
            user_id=user_id,
            filename="private.csv",
            source="toggl",
            mapping="project",
            content=zlib.compress(f"{header}\n{row}\n".encode()),
            created_at=now,
            expires_at=now + PREVIEW_LIFETIME,
        )
        db.session.add(preview)
        db.session.commit()
        return preview.id


def url_for_route(rule: str, ids: dict, *, archived: bool = False) -> str:
    if archived and "unarchive" in rule:
        habit_id = ids["archived_id"]
    elif rule.endswith("check"):  # check and uncheck take a check habit
        habit_id = ids["check_habit_id"]
    else:
        habit_id = ids["habit_id"]
    return (
        rule.replace("<int:habit_id>", str(habit_id))
        .replace("<int:log_id>", str(ids["log_id"]))
        .replace("<int:break_id>", str(ids["break_id"]))
        .replace("<int:passkey_id>", str(ids["passkey_id"]))
        .replace("<day>", (today_in("UTC") - timedelta(days=2)).isoformat())
        .replace("<int:preview_id>", str(ids["preview_id"]))
        .replace("<int:token_id>", str(ids["token_id"]))
    )


def form_data(ids: dict) -> dict:
    """A submission that would change something if it were accepted."""
    return {
        "name": "Taken over",
        "category": "x",
        "target_minutes": "10",
        "target_period": "day",
        "habit_id": ids["habit_id"],
        "date": (today_in("UTC") - timedelta(days=2)).isoformat(),
        "minutes": "15",
        "note": "changed",
        "reminder_time": "07:00",
        "reminder_weekdays": ["0", "1"],
        "action": "skip",
        "direction": "down",
        "mapping": "project-description",
        "current_password": PASSWORD,  # the logged-in owner's own: deleting a passkey asks
    }


# A CSRF token carries the second it was signed in, so two identical pages may differ there:
# in a form's hidden field (whatever attributes stand between) and in a script's data-csrf.
CSRF_VALUE = re.compile(rb'((?:name="csrf_token"[^>]*? value|data-csrf)=")[^"]+"')


def without_csrf_tokens(page: bytes) -> bytes:
    """The page with its CSRF token values blanked."""
    return CSRF_VALUE.sub(rb'\1"', page)


def send(client, method, url, data):
    return client.get(url) if method == "GET" else client.post(url, data=data)


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_another_users_id_is_a_404_like_a_missing_one(client, app, two_users, rule, method):
    bob = two_users["bob"]
    missing = dict.fromkeys(bob, MISSING_ID)
    before = snapshot(app)
    foreign = send(client, method, url_for_route(rule, bob, archived=True), form_data(bob))
    assert foreign.status_code == 404
    assert snapshot(app) == before
    absent = send(client, method, url_for_route(rule, missing), form_data(missing))
    assert absent.status_code == 404
    assert without_csrf_tokens(foreign.data) == without_csrf_tokens(absent.data)
    assert b"private" not in foreign.data and b"Reading" not in foreign.data


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_with_mail_on_another_users_id_is_still_a_404(
    client, app, two_users, mail_on, rule, method
):
    """The same matrix on a site that sends mail (the habit form has reminder fields)."""
    test_another_users_id_is_a_404_like_a_missing_one(client, app, two_users, rule, method)


def test_mail_links_reach_only_what_they_name(client, app, two_users, mail_on):
    """Signed links carry their account: alice's session adds nothing to them, and a link
    naming alice cannot be pointed at bob's habit."""
    alice, bob = two_users["alice"], two_users["bob"]
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        for habit_id in (alice["habit_id"], bob["habit_id"]):
            db.session.get(Habit, habit_id).reminder_time = time(7, 0)
        db.session.commit()
        alice_id, bob_id = users["alice"].id, users["bob"].id
        forged = sign("unsubscribe", {"u": alice_id, "h": bob["habit_id"]})
        bobs = sign("unsubscribe", {"u": bob_id, "h": bob["habit_id"]})
        confirm_for_bob = sign("confirm", {"u": bob_id, "e": "alice@example.com", "k": "change"})
    before = snapshot(app)
    assert client.post(f"/mail/unsubscribe/{forged}").status_code == 404
    assert client.post(f"/auth/confirm/{confirm_for_bob}").status_code == 404
    assert snapshot(app) == before
    # Bob's own link works from alice's browser and touches bob's habit only.
    assert client.post(f"/mail/unsubscribe/{bobs}").status_code == 200
    with app.app_context():
        assert db.session.get(Habit, bob["habit_id"]).reminder_time is None
        assert db.session.get(Habit, alice["habit_id"]).reminder_time == time(7, 0)


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_the_same_request_on_ones_own_id_is_not_a_404(client, app, two_users, rule, method):
    alice = two_users["alice"]
    response = send(client, method, url_for_route(rule, alice, archived=True), form_data(alice))
    assert response.status_code in (200, 302)
