"""List pages and the dashboard run the same number of SQL statements for 1 and 50 habits, and
the log list and the breaks page the same for a few and many checks, skips and breaks."""

from datetime import timedelta

import pytest

from httracker.extensions import db
from httracker.models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip
from httracker.timeutil import today_in

# These count what rendering a page costs: no page is served from the store.
pytestmark = pytest.mark.usefixtures("no_page_cache")

PAGES = ["/dashboard", "/habits/", "/logs/", "/logs/?category=Mind&start=2000-01-01"]


def fill(app, user, habits: int) -> None:
    """`habits` habits (a fifth archived), each with three logs over the last three days."""
    today = today_in("UTC")
    with app.app_context():
        for number in range(habits):
            habit = Habit(
                user_id=user.id,
                name=f"Habit {number:02d}",
                category="Mind" if number % 2 else "Body",
                target_minutes=30,
                archived=number % 5 == 4,
            )
            db.session.add(habit)
            db.session.flush()
            for days in range(3):
                db.session.add(
                    HabitLog(
                        user_id=user.id,
                        habit_id=habit.id,
                        date=today - timedelta(days=days),
                        minutes=5,
                        note=f"note {number}",
                    )
                )
        db.session.commit()


def statements(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_habits(client, app, make_user, auth, count_queries, path):
    one = make_user("one")
    many = make_user("many")
    fill(app, one, 1)
    fill(app, many, 50)
    auth.login("one")
    client.get(path)  # shows the login message and warms caches
    small = statements(client, count_queries, path)
    auth.logout()
    auth.login("many")
    client.get(path)
    large = statements(client, count_queries, path)
    assert small == large
    assert 0 < large <= 12


def test_habit_page_query_count_does_not_grow_with_logs(
    client, app, make_user, auth, count_queries
):
    alice = make_user("alice")
    fill(app, alice, 2)
    auth.login("alice")
    with app.app_context():
        ids = [habit.id for habit in db.session.scalars(db.select(Habit).order_by(Habit.id))]
        for days in range(3, 60):
            db.session.add(
                HabitLog(
                    user_id=alice.id,
                    habit_id=ids[1],
                    date=today_in("UTC") - timedelta(days=days),
                    minutes=1,
                )
            )
        db.session.commit()
    # The first read of each habit stores its derived state (a few statements, once).
    client.get(f"/habits/{ids[0]}")
    client.get(f"/habits/{ids[1]}")
    few = statements(client, count_queries, f"/habits/{ids[0]}")
    many = statements(client, count_queries, f"/habits/{ids[1]}")
    assert few == many


def fill_days(app, user, entries: int) -> None:
    """A time and a check habit with `entries` checks, skips and breaks each (every other break
    for chosen habits), and logs."""
    today = today_in("UTC")
    with app.app_context():
        timed = Habit(user_id=user.id, name="Reading", category="Mind", target_minutes=30)
        checked = Habit(user_id=user.id, name="Stretch", kind="check", target_times=1)
        db.session.add_all([timed, checked])
        db.session.flush()
        for days in range(entries):
            day = today - timedelta(days=days)
            db.session.add(HabitLog(user_id=user.id, habit_id=timed.id, date=day, minutes=5))
            db.session.add(HabitCheck(user_id=user.id, habit_id=checked.id, date=day, note="c"))
            db.session.add(HabitSkip(user_id=user.id, habit_id=timed.id, date=day, note="s"))
            entry = HabitBreak(
                user_id=user.id, start_date=day, end_date=day, all_habits=days % 2 == 0
            )
            db.session.add(entry)
            db.session.flush()
            if days % 2:
                for habit in (timed, checked):
                    db.session.add(
                        HabitBreakHabit(break_id=entry.id, habit_id=habit.id, user_id=user.id)
                    )
        db.session.commit()


@pytest.mark.parametrize(
    "path", ["/logs/", "/logs/?entry=skip", "/logs/?entry=check&category=Mind", "/settings/breaks"]
)
def test_query_count_does_not_grow_with_checks_skips_and_breaks(
    client, app, make_user, auth, count_queries, path
):
    few = make_user("few")
    many = make_user("many")
    fill_days(app, few, 2)
    fill_days(app, many, 80)
    auth.login("few")
    client.get(path)
    small = statements(client, count_queries, path)
    auth.logout()
    auth.login("many")
    client.get(path)
    large = statements(client, count_queries, path)
    assert small == large
    assert 0 < large <= 12


@pytest.mark.parametrize("path", [*PAGES, "/analytics/", "/settings/"])
def test_a_running_timer_costs_one_query_at_most(client, app, make_user, auth, count_queries, path):
    """The user's query says whether a timer runs; the header's timer (with its habit) is one
    more read only when one does (on SQLite it comes with the user)."""
    from httracker.models import HabitTimer, utcnow

    alice = make_user("alice")
    fill(app, alice, 3)
    auth.login("alice")
    client.get(path)
    without = statements(client, count_queries, path)
    with app.app_context():
        habit_id = db.session.scalar(db.select(Habit.id).where(Habit.archived.is_(False)))
        db.session.add(HabitTimer(user_id=alice.id, habit_id=habit_id, started_at=utcnow()))
        db.session.commit()
    with count_queries() as counter:
        page = client.get(path).get_data(as_text=True)
    assert "running-timer" in page
    assert without <= counter.count <= without + 1
