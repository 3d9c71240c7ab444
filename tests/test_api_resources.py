"""The API's resources do what the pages do, through the same services: habits, logs, checks,
skipped days, breaks and analytics, with the same rules and the same messages."""

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.habits.services import ONE_LINE_MESSAGE
from httracker.models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip
from httracker.timeutil import today_in

from .statements import reads_habit
from .test_api_access import assert_problem

TODAY = today_in("UTC")
YESTERDAY = TODAY - timedelta(days=1)


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def new_habit(api, **fields) -> dict:
    response = api.post("/api/v1/habits", json={"name": "Reading", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# Habits


def test_create_a_habit_with_defaults_and_a_location(api):
    response = api.post("/api/v1/habits", json={"name": "  Reading  ", "category": "Mind"})
    assert response.status_code == 201
    habit = response.get_json()
    assert response.headers["Location"] == f"/api/v1/habits/{habit['id']}"
    assert {key: habit[key] for key in habit if key not in ("id", "created_at")} == {
        "name": "Reading",
        "category": "Mind",
        "kind": "time",
        "target_minutes": None,
        "target_period": "day",
        "target_direction": "at_least",
        "target_times": None,
        "archived": False,
    }
    assert api.get(response.headers["Location"]).get_json() == habit


def test_a_weekly_check_habit_and_a_limit(api):
    check = new_habit(api, name="Gym", kind="check", target_period="week", target_times=3)
    assert (check["kind"], check["target_times"], check["target_minutes"]) == ("check", 3, None)
    limit = new_habit(api, name="Phone", target_minutes=60, target_direction="at_most")
    assert (limit["target_direction"], limit["target_minutes"]) == ("at_most", 60)


def test_list_habits_in_the_users_order_and_filter_archived(app, api, make_habit):
    for name, archived in (("Zither", False), ("Art", True), ("mail", False)):
        make_habit(api.user.id, name, archived=archived)

    def names(query=""):
        response = api.get(f"/api/v1/habits{query}")
        assert response.status_code == 200
        return [habit["name"] for habit in response.get_json()["items"]]

    assert names() == ["Zither", "Art", "mail"]  # the order they were made in (habit.position)
    assert names("?archived=false") == ["Zither", "mail"]
    assert names("?archived=true") == ["Art"]
    assert_problem(api.get("/api/v1/habits?archived=maybe"), 422)


def test_patch_changes_only_the_fields_sent(api):
    habit = new_habit(api, category="Mind", target_minutes=30)
    response = api.patch(f"/api/v1/habits/{habit['id']}", json={"name": "Books"})
    assert response.status_code == 200
    assert response.get_json() == {**habit, "name": "Books"}
    response = api.patch(f"/api/v1/habits/{habit['id']}", json={"target_minutes": None})
    assert response.get_json() == {**habit, "name": "Books", "target_minutes": None}


def test_a_habit_keeps_its_kind_once_it_has_logs(app, api):
    habit = new_habit(api)
    assert (
        api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 10}).status_code == 201
    )
    response = api.patch(f"/api/v1/habits/{habit['id']}", json={"kind": "check"})
    problem = assert_problem(response, 422)
    assert problem["errors"] == {
        "kind": [
            "Reading already has logs: its kind stays. Archive it and create a new habit instead."
        ]
    }
    assert api.get(f"/api/v1/habits/{habit['id']}").get_json()["kind"] == "time"


def test_archive_unarchive_and_delete(app, api):
    habit = new_habit(api)
    api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 10})
    archived = api.post(f"/api/v1/habits/{habit['id']}/archive")
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    refused = api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 10})
    assert assert_problem(refused, 422)["errors"] == {
        "habit_id": ["Choose one of your active habits."]
    }
    restored = api.post(f"/api/v1/habits/{habit['id']}/unarchive")
    assert restored.get_json()["archived"] is False
    deleted = api.delete(f"/api/v1/habits/{habit['id']}")
    assert deleted.status_code == 204 and deleted.data == b""
    assert count(app, Habit) == count(app, HabitLog) == 0
    assert_problem(api.get(f"/api/v1/habits/{habit['id']}"), 404)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["Missing data for required field."]}),
        ({"name": "x" * 81}, {"name": ["Use 1–80 characters."]}),
        ({"name": "   "}, {"name": ["Use 1–80 characters."]}),
        ({"name": "a", "category": "c" * 41}, {"category": ["Use at most 40 characters."]}),
        (
            {"name": "a", "target_minutes": 1441},
            {"target_minutes": ["A daily target is 1 minute to 24h."]},
        ),
        ({"name": "a", "target_minutes": "30"}, {"target_minutes": ["Not a valid integer."]}),
        ({"name": "a", "target_minutes": 30.5}, {"target_minutes": ["Not a valid integer."]}),
        ({"name": "a", "kind": "bool"}, {"kind": ["Must be one of: time, check."]}),
        (
            {"name": "a", "target_direction": "at_most"},
            {"target_minutes": ["A limit needs its minutes: at most how long?"]},
        ),
        (
            {"name": "a", "kind": "check", "target_period": "week"},
            {"target_times": ["A weekly check habit is done 1 to 7 times."]},
        ),
        ({"name": "a\x00b"}, {"name": ["Remove the NUL characters."]}),
        ({"name": "Read\r\nBcc: x@example.net"}, {"name": [ONE_LINE_MESSAGE]}),
        ({"name": "Read", "category": "Mind\x1bBody"}, {"category": [ONE_LINE_MESSAGE]}),
        ({"name": "a\ud800"}, {"name": ["Send valid Unicode text."]}),
        ({"name": "a", "colour": "red"}, {"colour": ["Unknown field."]}),
        ({"name": 7}, {"name": ["Not a valid string."]}),
    ],
)
def test_habit_validation_names_the_fields(app, api, body, errors):
    problem = assert_problem(api.post("/api/v1/habits", json=body), 422)
    assert problem["errors"] == errors
    assert count(app, Habit) == 0


def test_a_duplicate_name_in_any_letter_case(api):
    new_habit(api)
    problem = assert_problem(api.post("/api/v1/habits", json={"name": "READING"}), 422)
    assert problem["detail"] == "You already have a habit with that name."
    assert problem["errors"] == {"name": ["You already have a habit with that name."]}


# Logs


def test_a_log_defaults_to_today_in_the_users_zone(app, make_user, make_token, client):
    from .conftest import ApiClient

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        user = make_user(zone.split("/")[1].lower(), timezone=zone)
        api = ApiClient(client, make_token(user.id))
        habit = new_habit(api)
        log = api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 30}).get_json()
        assert log["date"] == today_in(zone).isoformat()
        assert api.get("/api/v1/me").get_json()["today"] == today_in(zone).isoformat()


def test_log_crud(app, api):
    habit, other = new_habit(api), new_habit(api, name="Piano")
    made = api.post(
        "/api/v1/logs",
        json={
            "habit_id": habit["id"],
            "minutes": 45,
            "date": YESTERDAY.isoformat(),
            "note": " ok ",
        },
    )
    assert made.status_code == 201
    log = made.get_json()
    assert made.headers["Location"] == f"/api/v1/logs/{log['id']}"
    assert (log["habit_id"], log["date"], log["minutes"], log["note"]) == (
        habit["id"],
        YESTERDAY.isoformat(),
        45,
        "ok",
    )
    assert api.get(f"/api/v1/logs/{log['id']}").get_json() == log
    moved = api.patch(f"/api/v1/logs/{log['id']}", json={"habit_id": other["id"], "note": None})
    assert moved.get_json() == {**log, "habit_id": other["id"], "note": None}
    assert api.delete(f"/api/v1/logs/{log['id']}").status_code == 204
    assert count(app, HabitLog) == 0


def test_a_log_stays_on_its_archived_habit_but_moves_only_to_active_ones(api):
    habit, archived = new_habit(api), new_habit(api, name="Old")
    log = api.post("/api/v1/logs", json={"habit_id": archived["id"], "minutes": 5}).get_json()
    api.post(f"/api/v1/habits/{archived['id']}/archive")
    kept = api.patch(f"/api/v1/logs/{log['id']}", json={"minutes": 6})
    assert kept.status_code == 200 and kept.get_json()["minutes"] == 6
    back = api.patch(f"/api/v1/logs/{log['id']}", json={"habit_id": habit["id"]})
    assert back.status_code == 200
    refused = api.patch(f"/api/v1/logs/{log['id']}", json={"habit_id": archived["id"]})
    assert assert_problem(refused, 422)["errors"] == {
        "habit_id": ["Choose one of your active habits."]
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"minutes": 0}, {"minutes": ["Log between 1 minute and 24h."]}),
        ({"minutes": 1441}, {"minutes": ["Log between 1 minute and 24h."]}),
        ({"minutes": "30"}, {"minutes": ["Not a valid integer."]}),
        ({"date": "2999-01-01"}, {"date": ["That day is in the future in your time zone."]}),
        ({"date": "1999-12-31"}, {"date": ["Dates start on 2000-01-01."]}),
        ({"date": "20240101"}, {"date": ["Write the date as YYYY-MM-DD."]}),
        ({"date": "2026-02-30"}, {"date": ["That date does not exist."]}),
        ({"note": "n" * 501}, {"note": ["Use at most 500 characters."]}),
        ({"note": "a\x00"}, {"note": ["Remove the NUL characters."]}),
    ],
)
def test_log_validation_names_the_fields(app, api, body, errors):
    habit = new_habit(api)
    payload = {"habit_id": habit["id"], "minutes": 30, **body}
    problem = assert_problem(api.post("/api/v1/logs", json=payload), 422)
    assert problem["errors"] == errors
    assert count(app, HabitLog) == 0


def test_the_day_limit_and_the_check_habit_rule_come_from_the_service(app, api):
    habit, check = new_habit(api), new_habit(api, name="Gym", kind="check")
    assert (
        api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 1000}).status_code == 201
    )
    over = api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 500})
    assert assert_problem(over, 422)["errors"] == {
        "minutes": [f"A day has 24h: 7h 20m left to log on {readable_date(TODAY)}."]
    }
    timed = api.post("/api/v1/logs", json={"habit_id": check["id"], "minutes": 5})
    assert assert_problem(timed, 422)["errors"] == {
        "minutes": ["Gym is checked off, not timed: check it instead."]
    }
    assert count(app, HabitLog) == 1


def test_bad_json_and_other_media_types(app, api):
    habit = new_habit(api)
    bad = api.post("/api/v1/logs", data='{"habit_id": ', content_type="application/json")
    assert assert_problem(bad, 400)["detail"] == "Invalid JSON body."
    form = api.post("/api/v1/logs", data=f"habit_id={habit['id']}&minutes=5")
    assert "JSON" in assert_problem(form, 415)["detail"]
    text = api.post("/api/v1/logs", data="{}", content_type="text/plain")
    assert_problem(text, 415)
    assert_problem(api.post("/api/v1/logs", json=[1, 2]), 422)
    assert count(app, HabitLog) == 0


def test_unknown_urls_and_methods_are_problems_too(api):
    assert_problem(api.get("/api/v1/nothing"), 404)
    assert_problem(api.get("/api/v1/habits/99999999999"), 404)
    not_allowed = api.open("PUT", "/api/v1/habits")
    assert_problem(not_allowed, 405)
    assert set(not_allowed.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_server_error_is_a_problem_and_writes_nothing(app, api, monkeypatch):
    from httracker.habits import services

    def broken(*args, **kwargs):
        db.session.add(Habit(user_id=api.user.id, name="Half done"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "create_habit", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    problem = assert_problem(api.post("/api/v1/habits", json={"name": "x"}), 500)
    assert "boom" not in problem["detail"]
    assert count(app, Habit) == 0


# Checks and skips


def test_check_twice_then_take_it_back_twice(app, api):
    check = new_habit(api, name="Gym", kind="check")
    url = f"/api/v1/habits/{check['id']}/checks"
    first = api.post(url, json={"date": YESTERDAY.isoformat(), "note": "legs"})
    assert first.status_code == 201
    assert first.get_json() == {
        "habit_id": check["id"],
        "date": YESTERDAY.isoformat(),
        "note": "legs",
    }
    assert first.headers["Location"] == f"{url}/{YESTERDAY.isoformat()}"
    again = api.post(url, json={"date": YESTERDAY.isoformat(), "note": "other"})
    assert again.status_code == 200 and again.get_json()["note"] == "legs"
    assert count(app, HabitCheck) == 1
    assert api.delete(first.headers["Location"]).status_code == 204
    gone = api.delete(first.headers["Location"])
    assert assert_problem(gone, 404)["detail"] == f"Gym was not checked on {YESTERDAY.isoformat()}."
    today = api.post(url, json={})
    assert today.get_json()["date"] == TODAY.isoformat()


def test_checks_and_skips_follow_the_service_rules(app, api):
    habit, check = new_habit(api), new_habit(api, name="Gym", kind="check")
    timed = api.post(f"/api/v1/habits/{habit['id']}/checks", json={})
    assert assert_problem(timed, 422)["errors"] == {
        "date": ["Reading counts minutes: log time instead of checking it."]
    }
    far = (TODAY + timedelta(days=400)).isoformat()
    ahead = api.post(f"/api/v1/habits/{habit['id']}/skips", json={"date": far})
    assert assert_problem(ahead, 422)["errors"] == {"date": ["Plan at most a year ahead."]}
    planned = (TODAY + timedelta(days=30)).isoformat()
    assert (
        api.post(f"/api/v1/habits/{habit['id']}/skips", json={"date": planned}).status_code == 201
    )
    api.post(f"/api/v1/habits/{check['id']}/archive")
    closed = api.post(f"/api/v1/habits/{check['id']}/checks", json={})
    assert assert_problem(closed, 422)["errors"] == {"date": ["Gym is archived: restore it first."]}
    assert count(app, HabitCheck) == 0 and count(app, HabitSkip) == 1
    assert api.delete(f"/api/v1/habits/{habit['id']}/skips/{planned}").status_code == 204
    assert_problem(api.delete(f"/api/v1/habits/{habit['id']}/skips/2026-13-01"), 404)
    assert_problem(api.delete(f"/api/v1/habits/{habit['id']}/skips/yesterday"), 404)


# Breaks


def test_breaks_for_every_habit_or_chosen_ones(app, api):
    habit, other = new_habit(api), new_habit(api, name="Piano")
    everyone = api.post("/api/v1/breaks", json={"start": "2026-01-01", "end": "2026-01-07"})
    assert everyone.status_code == 201
    assert everyone.get_json()["habits"] is None
    chosen = api.post(
        "/api/v1/breaks",
        json={
            "start": "2026-02-01",
            "end": "2026-02-02",
            "habits": [other["id"], habit["id"], other["id"]],
            "note": "flu",
        },
    ).get_json()
    assert chosen["habits"] == sorted([habit["id"], other["id"]]) and chosen["note"] == "flu"
    listed = api.get("/api/v1/breaks").get_json()["items"]
    assert [entry["id"] for entry in listed] == [chosen["id"], everyone.get_json()["id"]]
    assert api.get(f"/api/v1/breaks/{chosen['id']}").get_json() == chosen
    assert api.delete(f"/api/v1/breaks/{chosen['id']}").status_code == 204
    assert count(app, HabitBreak) == 1 and count(app, HabitBreakHabit) == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"start": "2026-01-05", "end": "2026-01-01"},
            {"end": ["A break ends on or after the day it starts."]},
        ),
        (
            {"start": "2024-01-01", "end": "2025-06-01"},
            {"end": ["A break lasts at most a year (366 days)."]},
        ),
        (
            {"start": "2026-01-01", "end": "2026-01-02", "habits": []},
            {"habits": ["Choose the habits the break is for, or all of them."]},
        ),
        ({"start": "2026-01-01"}, {"end": ["Missing data for required field."]}),
        (
            {"start": "2026-01-01", "end": "2026-01-02", "habits": ["1"]},
            {"habits.0": ["Not a valid integer."]},
        ),
    ],
)
def test_break_validation(app, api, body, errors):
    assert assert_problem(api.post("/api/v1/breaks", json=body), 422)["errors"] == errors
    assert count(app, HabitBreak) == 0


# Analytics: the same document as data.json


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?range=7d",
        "?range=all",
        "?start=2026-01-01&end=2026-03-31",
        "?category=Mind",
        "?range=365d&habit_id={habit}",
    ],
)
def test_analytics_is_the_data_json_document(app, api, make_habit, pin_today, auth, client, query):
    pin_today(date(2026, 3, 20))
    habit_id = make_habit(
        api.user.id,
        "Reading",
        "Mind",
        target_minutes=20,
        logs=[(date(2026, 3, day), 10 * day, None) for day in range(1, 20, 3)],
    )
    make_habit(api.user.id, "Run", "Body", logs=[(date(2026, 1, 4), 40, None)])
    url = query.format(habit=habit_id)
    from_api = api.get(f"/api/v1/analytics{url}")
    assert from_api.status_code == 200
    auth.login()
    assert from_api.get_json() == client.get(f"/analytics/data.json{url}").get_json()
    assert from_api.get_json()["totals"]["minutes"] > 0


@pytest.mark.parametrize(
    "query",
    [
        "?range=1y",
        "?start=2026-01-01",
        "?start=2026-02-01&end=2026-01-01",
        "?range=7d&start=2026-01-01&end=2026-01-02",
        "?habit_id=x",
    ],
)
def test_analytics_errors_say_what_data_json_says(api, auth, client, query):
    problem = assert_problem(api.get(f"/api/v1/analytics{query}"), 400)
    auth.login()
    assert problem["detail"] == client.get(f"/analytics/data.json{query}").get_json()["description"]


@pytest.mark.parametrize("query", ["?start=&end=", "?range=", "?habit_id=", "?range=%207d"])
def test_analytics_refuses_empty_and_padded_values(api, query):
    assert "empty or padded" in assert_problem(api.get(f"/api/v1/analytics{query}"), 400)["detail"]


# The same bad input, the same message, through a form and through the API


def form_error(response) -> str:
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    start = text.index('class="error"')
    return text[text.index(">", start) + 1 : text.index("</p>", start)]


def test_the_same_bad_input_gets_the_same_message_from_a_form_and_the_api(app, api, client, auth):
    auth.login()
    habit = new_habit(api)
    # A target the service refuses.
    form = client.post(
        "/habits/new",
        data={
            "name": "Piano",
            "target_minutes": "1441",
            "target_period": "day",
            "kind": "time",
            "target_direction": "at_least",
        },
    )
    via_api = api.post("/api/v1/habits", json={"name": "Piano", "target_minutes": 1441})
    assert form_error(form) == assert_problem(via_api, 422)["errors"]["target_minutes"][0]
    # A name taken in another letter case.
    form = client.post(
        "/habits/new",
        data={
            "name": "reading",
            "kind": "time",
            "target_period": "day",
            "target_direction": "at_least",
        },
    )
    via_api = api.post("/api/v1/habits", json={"name": "reading"})
    assert (
        form_error(form)
        == assert_problem(via_api, 422)["detail"]
        == "You already have a habit with that name."
    )
    # A day over 24 hours.
    api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 1400})
    form = client.post(
        "/logs/new", data={"habit_id": habit["id"], "date": TODAY.isoformat(), "minutes": "50"}
    )
    via_api = api.post("/api/v1/logs", json={"habit_id": habit["id"], "minutes": 50})
    assert form_error(form) == assert_problem(via_api, 422)["errors"]["minutes"][0]
    assert "40m left to log" in form_error(form)
    # A note too long, on the day page's list of problems.
    form = client.post(f"/habits/{habit['id']}/skip", data={"note": "n" * 501})
    via_api = api.post(f"/api/v1/habits/{habit['id']}/skips", json={"note": "n" * 501})
    message = assert_problem(via_api, 422)["errors"]["note"][0]
    assert form.status_code == 400 and f"<li>Note: {message}</li>" in form.get_data(as_text=True)
    assert count(app, HabitSkip) == 0 and count(app, HabitLog) == 1


def test_a_log_through_the_api_reads_its_habit_once(app, api, count_queries, database_url):
    """The token's user is read before anything of the account, so its version is noted: a log
    whose lock finds that version unmoved does not read its habit a second time (MariaDB,
    which cannot say what version its lock moved from, reads it again)."""
    habit = new_habit(api)
    api.get("/api/v1/me")  # the token is touched at most once a minute
    with count_queries() as queries:
        made = api.post(
            "/api/v1/logs", json={"habit_id": habit["id"], "minutes": 20, "date": TODAY.isoformat()}
        )
    assert made.status_code == 201
    from_habit = [statement for statement in queries.statements if reads_habit(statement)]
    mariadb = make_url(database_url).get_backend_name() in ("mysql", "mariadb")
    assert len(from_habit) == (2 if mariadb else 1), from_habit
    assert count(app, HabitLog, habit_id=habit["id"], minutes=20) == 1
