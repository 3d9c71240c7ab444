"""Analytics pages and data.json: hand-written edge cases, parameters and isolation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from httracker.extensions import db
from httracker.models import Habit, HabitLog

TODAY = date(2024, 3, 5)


def add_habit(app, user, name="Reading", **fields):
    with app.app_context():
        habit = Habit(user_id=user.id, name=name, **fields)
        db.session.add(habit)
        db.session.commit()
        return habit.id


def add_logs(app, user, habit_id, minutes_by_day):
    """Insert logs directly: {date: minutes or [minutes, ...]}."""
    rows = []
    for day, minutes in minutes_by_day.items():
        for value in minutes if isinstance(minutes, list) else [minutes]:
            rows.append({"user_id": user.id, "habit_id": habit_id, "date": day, "minutes": value})
    with app.app_context():
        db.session.execute(insert(HabitLog), rows)
        db.session.commit()


def data(client, query=""):
    response = client.get(f"/analytics/data.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def only_habit(payload):
    [habit] = payload["habits"]
    return habit


def days_before(count, minutes=30, end=TODAY):
    return {end - timedelta(days=back): minutes for back in range(count)}


@pytest.fixture
def today(pin_today):
    pin_today(TODAY)
    return TODAY


def test_streak_ending_yesterday_is_current(app, client, user, today):
    habit_id = add_habit(app, user)
    add_logs(app, user, habit_id, days_before(4, end=today - timedelta(days=1)))
    habit = only_habit(data(client))
    assert habit["current_streak"] == 4
    assert habit["longest_streak"] == 4


def test_streak_ended_two_days_ago_is_not_current(app, client, user, today):
    habit_id = add_habit(app, user)
    add_logs(app, user, habit_id, days_before(4, end=today - timedelta(days=2)))
    habit = only_habit(data(client))
    assert habit["current_streak"] == 0
    assert habit["longest_streak"] == 4


def test_today_extends_the_streak(app, client, user, today):
    habit_id = add_habit(app, user)
    add_logs(app, user, habit_id, days_before(3))
    assert only_habit(data(client))["current_streak"] == 3


def test_day_below_daily_target_breaks_the_streak(app, client, user, today):
    habit_id = add_habit(app, user, target_minutes=30, target_period="day")
    logs = days_before(6)
    logs[today - timedelta(days=2)] = 29  # one minute short
    logs[today - timedelta(days=4)] = [20, 10]  # two logs that together meet it
    add_logs(app, user, habit_id, logs)
    habit = only_habit(data(client))
    assert habit["current_streak"] == 2
    assert habit["longest_streak"] == 3
    assert habit["target_success_rate"] == pytest.approx(5 / 6, abs=1e-4)


def test_weekly_target_counts_weeks_and_days(app, client, make_user, auth, pin_today):
    # 2024-03-05 is a Tuesday; with Sunday weeks, this week began on 2024-03-03.
    user = make_user("alice", week_start="sunday")
    auth.login()
    pin_today(TODAY)
    habit_id = add_habit(app, user, target_minutes=60, target_period="week")
    add_logs(
        app,
        user,
        habit_id,
        {
            date(2024, 2, 18): 60,  # week of Feb 18: met
            date(2024, 2, 25): 30,  # week of Feb 25: met with the Saturday below
            date(2024, 3, 2): 30,
            date(2024, 3, 3): 10,  # this week: not met yet
        },
    )
    habit = only_habit(data(client))
    assert habit["week_streak"] == 2
    assert habit["current_streak"] == 0  # nothing on Mar 4 or 5
    assert habit["longest_streak"] == 2  # Mar 2 and 3: for a weekly target any minute counts
    # Counted weeks from the first log: Feb 18, Feb 25, Mar 3 (Feb 4-10 is before it).
    assert habit["target_success_rate"] == pytest.approx(2 / 3, abs=1e-4)


def test_score_halves_after_thirteen_idle_days(app, client, user, pin_today):
    habit_id = add_habit(app, user)
    add_logs(app, user, habit_id, days_before(200, end=TODAY))
    pin_today(TODAY)
    full = only_habit(data(client))["score"]
    pin_today(TODAY + timedelta(days=13))
    later = only_habit(data(client))["score"]
    assert full > 99
    assert later == pytest.approx(full / 2, abs=0.1)


def test_range_crossing_a_year_boundary(app, client, user, today):
    habit_id = add_habit(app, user)
    add_logs(
        app, user, habit_id, {date(2023, 12, 31): 40, date(2024, 1, 1): 20, date(2024, 1, 3): 5}
    )
    payload = data(client, "?start=2023-12-30&end=2024-01-02")
    assert payload["range"] == {"start": "2023-12-30", "end": "2024-01-02"}
    assert payload["daily"] == [
        {"date": "2023-12-30", "minutes": 0},
        {"date": "2023-12-31", "minutes": 40},
        {"date": "2024-01-01", "minutes": 20},
        {"date": "2024-01-02", "minutes": 0},
    ]
    assert payload["totals"]["minutes"] == 60
    assert payload["totals"]["days"] == 4
    assert payload["totals"]["active_days"] == 2
    assert payload["totals"]["best_day"] == {"date": "2023-12-31", "minutes": 40}
    assert payload["totals"]["previous_period_minutes"] == 0


def test_range_over_a_leap_day(app, client, user, today):
    habit_id = add_habit(app, user)
    add_logs(
        app, user, habit_id, {date(2024, 2, 28): 10, date(2024, 2, 29): 15, date(2024, 3, 1): 20}
    )
    payload = data(client, "?start=2024-02-28&end=2024-03-01")
    assert [day["date"] for day in payload["daily"]] == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert payload["totals"]["minutes"] == 45
    assert payload["totals"]["days"] == 3
    # Feb 29 2024 is a Thursday (weekday 3).
    assert payload["weekdays"][3] == {"weekday": 3, "minutes": 15, "average": 15.0}
    assert only_habit(payload)["longest_streak"] == 3
    month = data(client, "?start=2022-01-01&end=2024-12-31")["series"]
    assert month["bucket"] == "month"
    assert {"start": "2024-02-01", "minutes": 25} in month["points"]


def test_empty_account(client, user):
    payload = data(client)
    assert payload["habits"] == []
    assert payload["categories"] == []
    assert payload["totals"]["minutes"] == 0
    assert payload["totals"]["days"] == 30
    assert payload["totals"]["best_day"] is None
    assert payload["totals"]["average_per_active_day"] == 0
    assert len(payload["daily"]) == 30
    assert all(day["minutes"] == 0 for day in payload["daily"])
    assert data(client, "?range=all")["totals"]["days"] == 1
    for url in ("/analytics/", "/dashboard"):
        assert client.get(url).status_code == 200


def test_archived_habit_counts_in_analytics_but_not_on_the_dashboard(app, client, user, today):
    kept = add_habit(app, user, "Reading", target_minutes=10)
    archived = add_habit(app, user, "Knitting", category="Craft", archived=True)
    add_logs(app, user, kept, {today: 15})
    add_logs(app, user, archived, {today - timedelta(days=1): 25, today: 5})
    payload = data(client)
    names = {habit["name"]: habit for habit in payload["habits"]}
    assert names["Knitting"]["archived"] is True
    assert names["Knitting"]["minutes"] == 30
    assert names["Knitting"]["current_streak"] == 2
    assert payload["totals"]["minutes"] == 45
    assert {"category": "Craft", "minutes": 30} in payload["categories"]
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Reading" in dashboard
    assert "Knitting" not in dashboard
    assert '<span class="panel-today">20m today</span>' in dashboard  # every habit


def test_the_dashboard_has_one_today(app, client, user, today):
    """The page's date, the quick log's totals and the analytics panel count the same day."""
    habit_id = add_habit(app, user, "Reading", target_minutes=30)
    add_logs(app, user, habit_id, {today: 20, today - timedelta(days=1): 7})
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert '<p class="subtitle"><time datetime="2024-03-05"' in dashboard
    assert "Logged today: <strong>20m</strong>" in dashboard
    assert '<span class="panel-today">20m today</span>' in dashboard


def test_filters_by_habit_and_category(app, client, user, today):
    reading = add_habit(app, user, "Reading", category="Mind")
    running = add_habit(app, user, "Running", category="Body")
    add_logs(app, user, reading, {today: 10})
    add_logs(app, user, running, {today: 20})
    assert data(client, f"?habit_id={running}")["totals"]["minutes"] == 20
    payload = data(client, "?category=Mind")
    assert [habit["name"] for habit in payload["habits"]] == ["Reading"]
    assert payload["totals"]["minutes"] == 10
    assert data(client, "?category=Nothing")["totals"]["minutes"] == 0


def test_another_users_data_never_shows(app, client, user, make_user, today):
    bob = make_user("bob")
    bobs = add_habit(app, bob, "Secret")
    add_logs(app, bob, bobs, {today: 99})
    payload = data(client)
    assert payload["habits"] == []
    assert payload["totals"]["minutes"] == 0
    assert client.get(f"/analytics/data.json?habit_id={bobs}").status_code == 404
    assert "Secret" not in client.get("/analytics/").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "?range=12d",
        "?start=2024-01-01",
        "?end=2024-01-01",
        "?start=2024-13-01&end=2024-12-01",
        "?start=2024-02-30&end=2024-03-01",
        "?start=2024-03-02&end=2024-03-01",
        "?start=2000-01-01&end=2024-01-01",
        "?start=2004-01-01&end=2024-01-01",  # one day more than 20 years
        "?start=0001-01-01&end=0001-01-02",  # before any log can be
        "?start=9999-12-30&end=9999-12-31",
        "?start=20240101&end=20240102",
        "?start=2024-W01-1&end=2024-01-09",
        "?range=7d&start=2024-01-01&end=2024-01-02",
        "?habit_id=abc",
        "?habit_id=-1",
        "?habit_id=%C2%B2",
        "?category=" + "x" * 41,
    ],
)
def test_bad_parameters_are_a_clear_400(client, user, query):
    response = client.get(f"/analytics/data.json{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad request"
    assert response.get_json()["description"]
    page = client.get(f"/analytics/{query}")
    assert page.status_code == 400
    assert response.get_json()["description"] in page.get_data(as_text=True).replace("&#39;", "'")


def test_twenty_years_is_allowed(client, user):
    payload = data(client, "?start=2004-01-01&end=2023-12-31")
    assert payload["series"]["bucket"] == "month"
    assert len(payload["series"]["points"]) == 240


def test_buckets_follow_the_range_length(client, user, make_user, auth):
    assert data(client, "?range=90d")["series"]["bucket"] == "day"
    weekly = data(client, "?start=2024-01-01&end=2024-12-31")["series"]
    assert weekly["bucket"] == "week"
    assert weekly["points"][0]["start"] == "2024-01-01"  # a Monday: weeks start on Monday
    assert data(client, "?start=2020-01-01&end=2024-12-31")["series"]["bucket"] == "month"


def test_sunday_weeks_bucket_on_sundays(client, make_user, auth):
    make_user("sam", week_start="sunday")
    auth.login("sam")
    weekly = data(client, "?start=2024-01-01&end=2024-12-31")["series"]
    assert weekly["points"][0]["start"] == "2023-12-31"
    assert weekly["points"][1]["start"] == "2024-01-07"


def test_preset_links_keep_the_other_parameters(app, client, user, today):
    habit_id = add_habit(app, user, category="Mind")
    page = client.get(f"/analytics/?range=7d&habit_id={habit_id}&category=Mind")
    html = page.get_data(as_text=True)
    assert f'href="/analytics/?range=90d&amp;habit_id={habit_id}&amp;category=Mind"' in html
    custom = client.get("/analytics/?start=2024-01-01&end=2024-01-31&category=Mind")
    assert 'href="/analytics/?range=365d&amp;category=Mind"' in custom.get_data(as_text=True)


def test_today_is_the_users_local_date(app, client, make_user, auth, pin_now):
    # 11:30 UTC on 5 March is already 6 March on Kiritimati (UTC+14) and still 5 March 00:30
    # in Pago Pago (UTC-11).
    pin_now(datetime(2024, 3, 5, 11, 30, tzinfo=UTC))
    for name, zone, local_today in (
        ("kiri", "Pacific/Kiritimati", "2024-03-06"),
        ("pago", "Pacific/Pago_Pago", "2024-03-05"),
    ):
        person = make_user(name, timezone=zone)
        auth.login(name)
        habit_id = add_habit(app, person)
        add_logs(app, person, habit_id, {date.fromisoformat(local_today): 10})
        payload = data(client, "?range=7d")
        assert payload["range"]["end"] == local_today
        assert only_habit(payload)["current_streak"] == 1
        assert payload["daily"][-1] == {"date": local_today, "minutes": 10}
        auth.logout()


def test_success_rate_ignores_days_after_today(app, client, user, today):
    habit_id = add_habit(app, user, target_minutes=10)
    # A log dated tomorrow (say, written before moving west a time zone) is not a counted day.
    add_logs(app, user, habit_id, {today: 10, today + timedelta(days=1): 10})
    payload = data(client, f"?start={today}&end={today + timedelta(days=1)}")
    assert only_habit(payload)["target_success_rate"] == 1.0
    assert only_habit(payload)["minutes"] == 20


def test_analytics_needs_login(client):
    assert client.get("/analytics/").status_code == 302
    assert client.get("/analytics/data.json").status_code in (302, 401)
