"""Who may use which API route: every route of /api/v1 in the URL map needs a live bearer
token (none, unknown, revoked and expired ones get a 401 problem with WWW-Authenticate), a read
token cannot write, cookies count for nothing, and another user's ids are 404 like missing
ones. Routes come from the URL map, so routes added later are covered too."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from httracker import create_app
from httracker.extensions import db
from httracker.models import ApiToken, HabitBreak, HabitCheck, HabitSkip, User, utcnow
from httracker.timeutil import today_in

from .conftest import ApiClient
from .test_fuzz import snapshot

PUBLIC = {"api-docs.openapi_json"}
SAFE = {"GET"}
DAY = today_in("UTC") - timedelta(days=1)


def api_routes():
    """(rule, method) for every operation of /api/v1 but the public OpenAPI document."""
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.endpoint not in PUBLIC:
            routes.extend((rule.rule, method) for method in rule.methods - {"HEAD", "OPTIONS"})
    return sorted(routes)


ROUTES = api_routes()
WRITES = [(rule, method) for rule, method in ROUTES if method not in SAFE]
ID_ROUTES = [(rule, method) for rule, method in ROUTES if "_id>" in rule]


def test_the_matrix_covers_every_resource():
    rules = {rule for rule, _ in ROUTES}
    assert {
        "/api/v1/me",
        "/api/v1/habits",
        "/api/v1/habits/<int:habit_id>",
        "/api/v1/habits/<int:habit_id>/archive",
        "/api/v1/habits/<int:habit_id>/unarchive",
        "/api/v1/habits/<int:habit_id>/checks",
        "/api/v1/habits/<int:habit_id>/checks/<isodate:day>",
        "/api/v1/habits/<int:habit_id>/skips",
        "/api/v1/habits/<int:habit_id>/skips/<isodate:day>",
        "/api/v1/logs",
        "/api/v1/logs/<int:log_id>",
        "/api/v1/breaks",
        "/api/v1/breaks/<int:break_id>",
        "/api/v1/analytics",
        "/api/v1/timer",
        "/api/v1/timer/start",
        "/api/v1/timer/stop",
        "/api/v1/timer/discard",
    } <= rules
    assert len(ROUTES) >= 26 and len(WRITES) >= 17


def seed(app, make_habit, make_log, user_id) -> dict:
    """A time habit with a log, a check habit checked and skipped yesterday, and a break."""
    habit_id = make_habit(user_id, "Reading")
    check_id = make_habit(user_id, "Stretch", kinds={"kind": "check"})
    log_id = make_log(user_id, habit_id, DAY, 30, note="private")
    with app.app_context():
        for model in (HabitCheck, HabitSkip):
            db.session.add(model(user_id=user_id, habit_id=check_id, date=DAY, note="private"))
        entry = HabitBreak(user_id=user_id, start_date=DAY, end_date=DAY, note="private")
        db.session.add(entry)
        db.session.commit()
        break_id = entry.id
    return {"habit_id": habit_id, "check_id": check_id, "log_id": log_id, "break_id": break_id}


def url_for_route(rule: str, ids: dict) -> str:
    habit_id = ids["check_id"] if ("/checks" in rule or "/skips" in rule) else ids["habit_id"]
    return (
        rule.replace("<int:habit_id>", str(habit_id))
        .replace("<int:log_id>", str(ids["log_id"]))
        .replace("<int:break_id>", str(ids["break_id"]))
        .replace("<isodate:day>", DAY.isoformat())
    )


def body_for(rule: str, method: str, ids: dict) -> dict | None:
    """A body that would change something if the request were accepted."""
    if method not in ("POST", "PATCH"):
        return None
    if rule.endswith("/habits"):
        return {"name": "Taken over"}
    if "/logs" in rule:
        return {"habit_id": ids["habit_id"], "minutes": 15, "date": DAY.isoformat()}
    if rule.endswith("/breaks"):
        return {"start": DAY.isoformat(), "end": DAY.isoformat()}
    if rule.endswith("_id>"):
        return {"name": "Taken over"}
    return {"date": (DAY - timedelta(days=1)).isoformat(), "note": "x"}


@pytest.fixture
def alice_ids(app, make_user, make_habit, make_log):
    alice = make_user("alice")
    ids = seed(app, make_habit, make_log, alice.id)
    ids["user_id"] = alice.id
    return ids


def send(client, method, url, body, headers=None):
    return client.open(url, method=method, json=body, headers=headers or {})


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_no_token_or_an_unknown_one_is_a_401_with_the_bearer_challenge(
    app, client, alice_ids, rule, method
):
    before = snapshot(app)
    url, body = url_for_route(rule, alice_ids), body_for(rule, method, alice_ids)
    for headers in (
        {},
        {"Authorization": "Bearer htt_" + "x" * 43},
        {"Authorization": "Basic YWxpY2U6cGFzcw=="},
        {"Authorization": "Bearer " + "y" * 500},
    ):
        response = send(client, method, url, body, headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")
    assert snapshot(app) == before


def make_dead_tokens(app, make_token, user_id) -> dict:
    """A revoked token (its row deleted) and an expired one, both write tokens."""
    revoked, expired = (
        make_token(user_id, name="old"),
        make_token(user_id, name="short", expires_in_days=7),
    )
    with app.app_context():
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.name == "short")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.execute(ApiToken.__table__.delete().where(ApiToken.name == "old"))
        db.session.commit()
    return {"revoked": revoked, "expired": expired}


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_revoked_and_expired_tokens_are_a_401(app, client, make_token, alice_ids, rule, method):
    dead = make_dead_tokens(app, make_token, alice_ids["user_id"])
    before = snapshot(app)
    url, body = url_for_route(rule, alice_ids), body_for(rule, method, alice_ids)
    for secret in dead.values():
        response = send(client, method, url, body, {"Authorization": f"Bearer {secret}"})
        problem = assert_problem(response, 401)
        assert "invalid_token" in response.headers["WWW-Authenticate"]
        assert "revoked or expired" in problem["detail"]
    assert snapshot(app) == before


@pytest.mark.parametrize(("rule", "method"), WRITES)
def test_a_read_token_gets_403_on_every_write_and_changes_nothing(
    app, client, make_token, alice_ids, rule, method
):
    reader = ApiClient(client, make_token(alice_ids["user_id"], scope="read"))
    before = snapshot(app)
    url, body = url_for_route(rule, alice_ids), body_for(rule, method, alice_ids)
    problem = assert_problem(reader.open(method, url, json=body), 403)
    assert "only read" in problem["detail"]
    assert snapshot(app) == before


@pytest.mark.parametrize(("rule", "method"), [r for r in ROUTES if r[1] in SAFE])
def test_a_read_token_reads(client, make_token, alice_ids, rule, method):
    reader = ApiClient(client, make_token(alice_ids["user_id"], scope="read"))
    assert reader.get(url_for_route(rule, alice_ids)).status_code == 200


def test_a_logged_in_browser_cookie_counts_for_nothing(client, auth, alice_ids):
    assert auth.login().status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.post("/api/v1/habits", json={"name": "Via cookie"}), 401)


def test_a_cookie_does_not_change_whose_data_a_token_reads(
    app, client, auth, make_user, make_token, alice_ids
):
    bob = make_user("bob")
    auth.login()  # alice's cookie
    as_bob = ApiClient(client, make_token(bob.id))
    assert as_bob.get("/api/v1/me").get_json()["username"] == "bob"
    assert as_bob.get("/api/v1/habits").get_json() == {"items": []}


def test_bearer_writes_need_no_csrf_token_but_the_token_forms_do(
    app, client, auth, monkeypatch, alice_ids, make_token
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    writer = ApiClient(client, make_token(alice_ids["user_id"]))
    assert writer.post("/api/v1/habits", json={"name": "No CSRF needed"}).status_code == 201
    auth.login()
    assert client.post("/settings/tokens", data={"name": "x", "scope": "write"}).status_code == 400
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 400


def test_last_used_is_touched_at_most_once_a_minute(app, api):
    def last_used():
        with app.app_context():
            return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    api.get("/api/v1/me")
    first = last_used()
    assert first is not None
    api.get("/api/v1/me")
    assert last_used() == first
    with app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
        db.session.commit()
    api.get("/api/v1/me")
    assert last_used() > first - timedelta(minutes=1)


# Isolation: another user's ids are 404, exactly like missing ones.

MISSING = 987654


@pytest.mark.parametrize(("rule", "method"), ID_ROUTES)
def test_another_users_id_is_a_404_like_a_missing_one(
    app, make_user, make_habit, make_log, api, rule, method
):
    bob = make_user("bob")
    mine = seed(app, make_habit, make_log, api.user.id)
    bobs = seed(app, make_habit, make_log, bob.id)
    missing = dict.fromkeys(bobs, MISSING)
    before = snapshot(app)
    foreign = api.open(method, url_for_route(rule, bobs), json=body_for(rule, method, mine))
    assert_problem(foreign, 404)
    assert snapshot(app) == before
    absent = api.open(method, url_for_route(rule, missing), json=body_for(rule, method, mine))
    assert_problem(absent, 404)
    assert foreign.get_json() == absent.get_json()
    assert b"private" not in foreign.data and b"Reading" not in foreign.data


@pytest.mark.parametrize(("rule", "method"), ID_ROUTES)
def test_the_same_request_on_ones_own_id_is_not_a_404(app, make_habit, make_log, api, rule, method):
    mine = seed(app, make_habit, make_log, api.user.id)
    response = api.open(method, url_for_route(rule, mine), json=body_for(rule, method, mine))
    assert response.status_code in (200, 201, 204, 422), response.get_json()
    assert response.status_code != 422 or "archived" not in response.get_json()["detail"]


def test_another_users_habit_in_a_body_or_a_filter_is_refused_like_a_missing_one(
    app, make_user, make_habit, api
):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Bob's")
    for habit_id in (bobs, MISSING):
        created = api.post("/api/v1/logs", json={"habit_id": habit_id, "minutes": 5})
        assert assert_problem(created, 422)["errors"] == {
            "habit_id": ["Choose one of your active habits."]
        }
        assert_problem(api.get(f"/api/v1/logs?habit_id={habit_id}"), 404)
        assert_problem(api.get(f"/api/v1/analytics?habit_id={habit_id}"), 404)
        made = api.post(
            "/api/v1/breaks",
            json={"start": "2026-01-01", "end": "2026-01-02", "habits": [habit_id]},
        )
        assert assert_problem(made, 422)["errors"] == {"habits": ["Choose among your habits."]}
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "bob")) == bob.id


def test_every_route_is_rate_limited_per_token_with_retry_after(
    app, client, make_token, alice_ids, monkeypatch
):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1/day")
    api = ApiClient(client, make_token(alice_ids["user_id"]))
    assert api.get("/api/v1/me").status_code == 200
    before = snapshot(app)
    for rule, method in ROUTES:
        body = body_for(rule, method, alice_ids)
        response = api.open(method, url_for_route(rule, alice_ids), json=body)
        assert_problem(response, 429)
        assert int(response.headers["Retry-After"]) > 0, (rule, method)
    assert snapshot(app) == before
    # Another token of the same account has its own budget.
    assert ApiClient(client, make_token(alice_ids["user_id"])).get("/api/v1/me").status_code == 200


def replayable(api, rule: str, method: str, ids: dict) -> dict | None:
    """The body of a write that succeeds, with what it needs in place (a running timer)."""
    if "/timer/" not in rule:
        return body_for(rule, method, ids)
    if rule.endswith("/start"):
        return {"habit_id": ids["habit_id"]}
    api.post("/api/v1/timer/start", json={"habit_id": ids["habit_id"]})
    return {}


@pytest.mark.parametrize(("rule", "method"), WRITES)
def test_every_write_replays_its_first_answer_for_the_same_key(
    app, client, make_token, alice_ids, rule, method
):
    api = ApiClient(client, make_token(alice_ids["user_id"]))
    url = url_for_route(rule, alice_ids)
    body = replayable(api, rule, method, alice_ids)
    key = {"Idempotency-Key": f"replay-{method}-{rule}"}
    first = api.open(method, url, json=body, headers=key)
    assert first.status_code < 300, first.get_json()
    assert "Idempotent-Replayed" not in first.headers
    after = snapshot(app)
    again = api.open(method, url, json=body, headers=key)
    assert (again.status_code, again.data) == (first.status_code, first.data)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert snapshot(app) == after  # nothing done twice
