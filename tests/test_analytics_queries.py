"""A constant number of queries per page, from an empty account to ten years of daily logs."""

from datetime import date, timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import insert, select

from httracker.analytics.invalidation import invalidate
from httracker.analytics.panels import habit_panel
from httracker.extensions import db
from httracker.models import (
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitLog,
    HabitSkip,
    User,
)

# These count what rendering a page costs: no page is served from the store.
pytestmark = pytest.mark.usefixtures("no_page_cache")

TODAY = date(2026, 6, 30)
QUERY_BUDGET = 12
# The first read after a write carries and stores the derived state: a few statements more, as
# many for one habit and one log as for twenty habits and ten years.
COLD_BUDGET = 24
PAGES = ("/analytics/", "/analytics/data.json", "/analytics/?range=all", "/dashboard")


def targets(index):
    """Every third habit has a daily target, every third a weekly one, the rest none."""
    return [(30, "day"), (150, "week"), (None, "day")][index % 3]


def make_habits(app, user, count):
    with app.app_context():
        habits = []
        for index in range(count):
            target, period = targets(index)
            habit = Habit(
                user_id=user.id,
                name=f"Habit {index:02d}",
                category=f"Group {index % 4}",
                target_minutes=target,
                target_period=period,
            )
            db.session.add(habit)
            habits.append(habit)
        db.session.commit()
        return [habit.id for habit in habits]


def assert_within_budget(app, client, count_queries, user_id):
    """Statements per page on the first read (cold: the state is carried and stored) and on
    the next (warm), each within its budget."""
    counts = {}
    for url in PAGES:
        for when in ("cold", "warm"):
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[when, url] = counter.count
        # The next page is cold again, as after any write.
        with app.app_context():
            invalidate(user_id)
            db.session.commit()
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, user_id)
        habit = db.session.scalars(select(Habit).where(Habit.user_id == user_id)).first()
        login_user(user)
        if habit is not None:
            for when in ("cold", "warm"):
                with count_queries() as counter:
                    html = render_template(
                        "analytics/_habit.html", panel=habit_panel(user, habit, TODAY)
                    )
                assert "<svg" in html
                counts[when, "habit panel"] = counter.count
    budget = {"cold": COLD_BUDGET, "warm": QUERY_BUDGET}
    assert all(count <= budget[when] for (when, _page), count in counts.items()), counts
    return counts


def warm(counts: dict) -> dict:
    """The steady-state counts (a cold read also creates the state rows of new habits once)."""
    return {key: count for key, count in counts.items() if key[0] == "warm"}


def test_empty_account_within_budget(app, client, user, count_queries, pin_today):
    pin_today(TODAY)
    assert_within_budget(app, client, count_queries, user.id)


def test_one_log_account_within_budget(app, client, user, count_queries, pin_today):
    pin_today(TODAY)
    [habit_id] = make_habits(app, user, 1)
    with app.app_context():
        db.session.add(HabitLog(user_id=user.id, habit_id=habit_id, date=TODAY, minutes=5))
        invalidate(user.id, [habit_id], TODAY)
        db.session.commit()
    assert_within_budget(app, client, count_queries, user.id)


def test_ten_year_account_within_the_same_budget(app, client, user, count_queries, pin_today):
    """20 habits logged every day for ten years (about 73,000 rows) issue exactly as many
    queries as the same habits with one log each."""
    pin_today(TODAY)
    habit_ids = make_habits(app, user, 20)
    first = TODAY - timedelta(days=3650)
    days = [first + timedelta(days=offset) for offset in range((TODAY - first).days + 1)]

    def rows(some_days):
        return [
            {"user_id": user.id, "habit_id": habit_id, "date": day, "minutes": 30}
            for habit_id in habit_ids
            for day in some_days
        ]

    with app.app_context():
        db.session.execute(insert(HabitLog), rows(days[:1]))
        db.session.commit()
    small = assert_within_budget(app, client, count_queries, user.id)
    with app.app_context():
        db.session.execute(insert(HabitLog), rows(days[1:]))
        invalidate(user.id, None, days[1])  # what every write path does
        db.session.commit()
    large = assert_within_budget(app, client, count_queries, user.id)
    assert warm(large) == warm(small), (small, large)

    payload = client.get("/analytics/data.json?range=all").get_json()
    assert payload["totals"]["minutes"] == 30 * 20 * len(days)
    assert payload["range"]["start"] == first.isoformat()
    assert payload["series"]["bucket"] == "month"
    for habit in payload["habits"]:
        # Streaks reach back past the score's window: they come from the database's islands.
        assert habit["current_streak"] == habit["longest_streak"] == len(days)
        assert habit["score"] >= 99.9
        if habit["target_period"] == "week" and habit["target_minutes"]:
            assert habit["week_streak"] >= len(days) // 7 - 1


def test_check_offs_skips_and_breaks_within_the_same_budget(
    app, client, user, count_queries, pin_today
):
    """Check habits, skipped days and breaks, from one of each to years of them, cost the same
    number of queries on every analytics page."""
    pin_today(TODAY)
    time_ids = make_habits(app, user, 3)
    with app.app_context():
        checks = [
            Habit(
                user_id=user.id,
                name=f"Check {n}",
                kind="check",
                target_period=period,
                target_times=times,
            )
            for n, (period, times) in enumerate([("day", 1), ("week", 3)])
        ]
        db.session.add_all(checks)
        db.session.flush()
        check_ids = [habit.id for habit in checks]
        db.session.commit()

    def add(back_days):
        with app.app_context():
            for back in back_days:
                day = TODAY - timedelta(days=back)
                for habit_id in check_ids:
                    db.session.add(HabitCheck(user_id=user.id, habit_id=habit_id, date=day))
                for habit_id in time_ids:
                    db.session.add(HabitSkip(user_id=user.id, habit_id=habit_id, date=day))
                brk = HabitBreak(user_id=user.id, start_date=day, end_date=day, all_habits=False)
                db.session.add(brk)
                db.session.flush()
                db.session.add(
                    HabitBreakHabit(break_id=brk.id, habit_id=check_ids[0], user_id=user.id)
                )
            invalidate(user.id)  # what every write path does
            db.session.commit()

    add([0])
    small = assert_within_budget(app, client, count_queries, user.id)
    add(range(1, 400, 2))
    large = assert_within_budget(app, client, count_queries, user.id)
    assert warm(large) == warm(small), (small, large)
    payload = client.get("/analytics/data.json?range=all").get_json()
    by_name = {habit["name"]: habit for habit in payload["habits"]}
    assert by_name["Check 0"]["checks"] == 201
    assert by_name["Check 0"]["kind"] == "check"
