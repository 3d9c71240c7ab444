"""The API's contract: the OpenAPI 3.1 document describes every route, the docs page is made
from it, retried writes with an Idempotency-Key happen once, cursor pages stay stable while
logs are added, and each token has its own rate limit."""

import os
import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from httracker import create_app
from httracker.extensions import db, limiter
from httracker.models import ApiIdempotencyKey, HabitLog, utcnow

from .conftest import ApiClient
from .test_api_access import ROUTES, assert_problem

# OpenAPI


def spec_of(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_openapi_3_1_with_the_bearer_scheme(client):
    spec = spec_of(client)
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token from Settings → API tokens (`htt_…`).",
    }
    assert spec["security"] == [{"bearerAuth": []}]


def test_every_route_is_in_the_document_with_its_errors(client):
    spec = spec_of(client)
    operation_ids = set()
    for rule, method in ROUTES:
        operation = spec["paths"][openapi_path(rule)][method.lower()]
        operation_ids.add(operation["operationId"])
        assert operation["summary"]
        for status in ("400", "401", "429"):
            content = operation["responses"][status]["content"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        if method != "GET":
            assert {"403", "415"} <= set(operation["responses"])
            names = [parameter["name"] for parameter in operation.get("parameters", [])]
            assert "Idempotency-Key" in names
    assert len(operation_ids) == len(ROUTES)
    documented = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "delete", "put")
    }
    assert documented == {(openapi_path(rule), method.lower()) for rule, method in ROUTES}


def test_creates_link_to_the_operations_on_what_they_made(client):
    spec = spec_of(client)
    links = spec["paths"]["/api/v1/habits"]["post"]["responses"]["201"]["links"]
    assert {"getHabit", "updateHabit", "deleteHabit"} <= set(links)
    assert links["getHabit"]["parameters"] == {"habit_id": "$response.body#/id"}
    log_links = spec["paths"]["/api/v1/logs"]["post"]["responses"]["201"]["links"]
    assert set(log_links) == {"getLog", "updateLog", "deleteLog"}
    check = spec["paths"]["/api/v1/habits/{habit_id}/checks"]["post"]["responses"]["201"]
    assert check["links"]["uncheckHabit"]["parameters"]["day"] == "$response.body#/date"


def test_request_schemas_refuse_unknown_fields_and_nullable_is_3_1(client):
    schemas = spec_of(client)["components"]["schemas"]
    for name in ("HabitCreate", "HabitUpdate", "LogCreate", "LogUpdate", "BreakCreate"):
        assert schemas[name]["additionalProperties"] is False
    assert schemas["Log"]["properties"]["note"]["type"] == ["string", "null"]
    assert "nullable" not in str(schemas)


def test_the_document_needs_no_token_and_is_not_cached_by_the_browser(client):
    response = client.get("/api/v1/openapi.json")
    assert response.headers["Cache-Control"] == "no-store"


# The docs page


def test_the_docs_page_shows_every_operation_without_scripts(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for rule, method in ROUTES:
        assert f"<code>{method} {openapi_path(rule)}</code>" in page
    assert "<script" not in page.replace('<script src="/static/app.js', "")
    assert "http://" not in page and "https://" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_settings_link_to_the_tokens_and_the_docs(client, user):
    page = client.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/tokens"' in page and 'href="/api/docs"' in page
    tokens = client.get("/settings/tokens").get_data(as_text=True)
    assert 'href="/api/docs"' in tokens


# Idempotency


def log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HabitLog))


@pytest.fixture
def habit_id(api):
    return api.post("/api/v1/habits", json={"name": "Walk"}).get_json()["id"]


def test_a_retried_post_with_the_same_key_logs_once(app, api, habit_id):
    body = {"habit_id": habit_id, "minutes": 20}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/api/v1/logs", json=body, headers=key)
    again = api.post("/api/v1/logs", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and "Idempotent-Replayed" not in first.headers
    )
    assert log_count(app) == 1
    other = api.post("/api/v1/logs", json=body, headers={"Idempotency-Key": "another"})
    assert other.status_code == 201 and log_count(app) == 2
    unkeyed = api.post("/api/v1/logs", json=body)
    assert unkeyed.status_code == 201 and log_count(app) == 3


def test_the_same_key_with_another_request_is_refused(app, api, habit_id):
    key = {"Idempotency-Key": "k-1"}
    api.post("/api/v1/logs", json={"habit_id": habit_id, "minutes": 20}, headers=key)
    changed = api.post("/api/v1/logs", json={"habit_id": habit_id, "minutes": 21}, headers=key)
    assert "different request" in assert_problem(changed, 422)["detail"]
    elsewhere = api.post(f"/api/v1/habits/{habit_id}/archive", headers=key)
    assert_problem(elsewhere, 422)
    assert log_count(app) == 1


def test_keys_belong_to_a_token_and_last_24_hours(app, api, make_token, habit_id):
    body = {"habit_id": habit_id, "minutes": 20}
    key = {"Idempotency-Key": "shared"}
    api.post("/api/v1/logs", json=body, headers=key)
    other = ApiClient(api.client, make_token(api.user.id, name="phone"))
    assert "Idempotent-Replayed" not in other.post("/api/v1/logs", json=body, headers=key).headers
    assert log_count(app) == 2
    with app.app_context():
        db.session.execute(
            update(ApiIdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, seconds=1))
        )
        db.session.commit()
    late = api.post("/api/v1/logs", json=body, headers=key)
    assert late.status_code == 201 and "Idempotent-Replayed" not in late.headers
    assert log_count(app) == 3
    with app.app_context():  # the expired row made way for the new one
        assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 2


def test_a_retried_delete_answers_as_the_first_did(app, api, habit_id):
    log = api.post("/api/v1/logs", json={"habit_id": habit_id, "minutes": 5}).get_json()
    key = {"Idempotency-Key": "delete-once"}
    first = api.delete(f"/api/v1/logs/{log['id']}", headers=key)
    again = api.delete(f"/api/v1/logs/{log['id']}", headers=key)
    assert first.status_code == again.status_code == 204
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(api.delete(f"/api/v1/logs/{log['id']}"), 404)


def test_refused_writes_are_not_kept(app, api, habit_id):
    key = {"Idempotency-Key": "retry-me"}
    refused = api.post("/api/v1/logs", json={"habit_id": habit_id, "minutes": 2000}, headers=key)
    assert_problem(refused, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 0


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "é"])
def test_a_malformed_key_is_a_400(app, api, habit_id, key):
    response = api.post(
        "/api/v1/logs", json={"habit_id": habit_id, "minutes": 5}, headers={"Idempotency-Key": key}
    )
    assert "Idempotency-Key" in assert_problem(response, 400)["detail"]
    assert log_count(app) == 0


# Cursor pagination


def test_pages_stay_stable_while_logs_are_added(app, api, make_habit, make_log):
    habit = make_habit(api.user.id, "Piano")
    days = [date(2026, 1, day) for day in (1, 1, 1, 2, 3, 3, 5, 8, 8, 9, 11)]
    ids = [make_log(api.user.id, habit, day, 10) for day in days]
    expected = [log_id for _, log_id in sorted(zip(days, ids, strict=True), reverse=True)]
    seen, cursor = [], None
    while True:
        url = "/api/v1/logs?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url).get_json()
        assert len(page["items"]) <= 3
        seen.extend(item["id"] for item in page["items"])
        # Logs added meanwhile, on the newest day and on one already listed, never shift a page.
        make_log(api.user.id, habit, date(2026, 1, 11), 1)
        make_log(api.user.id, habit, date(2026, 2, 1), 1)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_filters_and_bad_cursors(api, make_habit, make_log):
    reading = make_habit(api.user.id, "Reading", "Mind")
    piano = make_habit(api.user.id, "Piano", "Music")
    for day in range(1, 11):
        make_log(api.user.id, reading if day % 2 else piano, date(2026, 3, day), day)

    def listed(query):
        response = api.get(f"/api/v1/logs?{query}")
        assert response.status_code == 200
        return [(item["date"][-2:], item["habit_id"]) for item in response.get_json()["items"]]

    assert listed(f"habit_id={piano}") == [(f"{d:02}", piano) for d in (10, 8, 6, 4, 2)]
    assert listed("category=Mind&start=2026-03-03&end=2026-03-07") == [
        ("07", reading),
        ("05", reading),
        ("03", reading),
    ]
    assert listed("category=Nothing") == []
    for cursor in ("x", "bm90LWEtY3Vyc29y", "MjAyNi0wMy0wMS4w"):
        assert "cursor" in assert_problem(api.get(f"/api/v1/logs?cursor={cursor}"), 400)["detail"]
    assert assert_problem(api.get("/api/v1/logs?limit=201"), 422)["errors"]["limit"]
    assert assert_problem(api.get("/api/v1/logs?start=2026-3-1"), 422)["errors"]["start"]


# Rate limits


@pytest.fixture
def limited(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ENABLED", True)
    # A day's window: a minute's could turn over between two requests of a slow run.
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3/day")


def test_each_token_has_its_own_limit_with_retry_after(app, api, make_token, limited):
    other = ApiClient(api.client, make_token(api.user.id, name="other"))
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    over = api.post("/api/v1/habits", json={"name": "Too many"})
    problem = assert_problem(over, 429)
    assert 0 < int(over.headers["Retry-After"]) <= 24 * 60 * 60
    assert problem["title"] == "Too many requests"
    assert other.get("/api/v1/me").status_code == 200
    assert spec_of(api.client)["openapi"] == "3.1.0"  # the document is not counted
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HabitLog)) == 0


REDIS_URL = os.environ.get("TEST_API_REDIS_URL", "redis://127.0.0.1:6379/12")


def test_the_limit_is_shared_by_every_worker_through_redis(
    app, database_url, make_user, make_token, monkeypatch
):
    prefix = f"httracker-test-{uuid.uuid4().hex}"
    settings = {
        "ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_SWALLOW_ERRORS": False,
        "API_RATE_LIMIT_ENABLED": True,
        "API_RATE_LIMIT": "4/minute",
        # A moving window: no turn of the minute between two requests resets the count.
        "RATELIMIT_STRATEGY": "moving-window",
    }
    first, second = create_app(settings), create_app(settings)
    # The limiter object outlives the apps of this test process and keeps the first prefix it
    # was given; a run of its own here, so parallel runs sharing this Redis never add up.
    monkeypatch.setattr(limiter, "_key_prefix", prefix)
    try:
        alice = make_user("alice")
        secret = make_token(alice.id)
        one = ApiClient(first.test_client(), secret)
        two = ApiClient(second.test_client(), secret)
        codes = [client.get("/api/v1/me").status_code for client in (one, two) * 3]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        for instance in (first, second):
            with instance.app_context():
                db.engine.dispose()


def test_a_page_of_logs_costs_the_same_queries_whatever_its_size(
    api, make_habit, make_log, count_queries
):
    habit = make_habit(api.user.id, "Piano")

    def queries_for(limit):
        with count_queries() as counter:
            assert len(api.get(f"/api/v1/logs?limit={limit}").get_json()["items"]) == limit
        return counter.count

    for day in range(1, 31):
        make_log(api.user.id, habit, date(2026, 1, day), 5)
    api.get("/api/v1/me")  # the token's last use is touched once, here
    assert queries_for(3) == queries_for(30) <= 6
