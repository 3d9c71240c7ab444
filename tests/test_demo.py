"""The demo generator and `flask demo`: reproducible, realistic and within the rules."""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from httracker.demo import DEMO_CATEGORIES, DEMO_HABITS, demo_log_rows, demo_logs
from httracker.extensions import db
from httracker.models import Habit, HabitLog, User
from httracker.timeutil import today_in

from .conftest import PASSWORD

TODAY = date(2025, 3, 14)


def test_same_seed_same_logs_other_seed_other_logs():
    first = list(demo_logs(7, 365, TODAY))
    assert first == list(demo_logs(7, 365, TODAY))
    assert first != list(demo_logs(8, 365, TODAY))


def test_logs_stay_in_range_and_within_a_day():
    logs = list(demo_logs(1, 400, TODAY))
    totals = defaultdict(int)
    for log in logs:
        totals[log.date] += log.minutes
        assert 1 <= log.minutes <= 1440
        assert TODAY - timedelta(days=399) <= log.date <= TODAY
    assert max(totals.values()) <= 1440
    assert len({(log.habit, log.date, log.minutes, log.note) for log in logs}) > 1000


def test_rhythm_gaps_and_streaks():
    logs = list(demo_logs(1, 365, TODAY))
    work = [log for log in logs if DEMO_HABITS[log.habit].name == "Deep work"]
    weekend_share = sum(log.date.weekday() >= 5 for log in work) / len(work)
    assert weekend_share < 0.1  # work happens on weekdays
    logged_days = {log.date for log in logs}
    all_days = {TODAY - timedelta(days=offset) for offset in range(365)}
    assert len(all_days - logged_days) >= 7  # a holiday and missed days
    meditation = sorted({log.date for log in logs if DEMO_HABITS[log.habit].name == "Meditation"})
    longest = run = 1
    for before, after in zip(meditation, meditation[1:], strict=False):
        run = run + 1 if after - before == timedelta(days=1) else 1
        longest = max(longest, run)
    assert longest >= 7
    assert len(DEMO_CATEGORIES) >= 3 and len(DEMO_HABITS) >= 5


def test_rows_need_no_orm():
    logs = list(demo_logs(2, 30, TODAY))
    rows = list(demo_log_rows(5, [100 + i for i in range(len(DEMO_HABITS))], iter(logs)))
    assert len(rows) == len(logs)
    assert rows[0] == {
        "user_id": 5,
        "habit_id": 100 + logs[0].habit,
        "date": logs[0].date,
        "minutes": logs[0].minutes,
        "note": logs[0].note,
    }


def stored_logs(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        query = (
            select(Habit.name, HabitLog.date, HabitLog.minutes, HabitLog.note)
            .join(Habit, Habit.id == HabitLog.habit_id)
            .where(HabitLog.user_id == user.id)
        )
        return user.timezone, sorted(db.session.execute(query).all(), key=repr)


def test_demo_command_creates_an_account_one_can_log_in_to(app, runner, client, auth):
    result = runner.invoke(args=["demo", "--days", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines() if ":" in line)
    assert lines["Login"].strip() == "demo"
    password = lines["Password"].strip()
    assert auth.login("demo", password).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.is_demo).where(User.username == "demo")) is True
    timezone, logs = stored_logs(app, "demo")
    expected = sorted(
        (
            (DEMO_HABITS[log.habit].name, log.date, log.minutes, log.note)
            for log in demo_logs(3, 60, today_in(timezone))
        ),
        key=repr,
    )
    assert [tuple(row) for row in logs] == expected
    with app.app_context():
        archived = db.session.scalars(select(Habit.name).where(Habit.archived.is_(True))).all()
        assert archived == [habit.name for habit in DEMO_HABITS if habit.archived]


def test_demo_refresh_replaces_data_and_password(app, runner, make_user):
    # UTC+14: "today" is often tomorrow in UTC.
    make_user("demo", timezone="Pacific/Kiritimati", is_demo=True)
    first = runner.invoke(args=["demo", "--days", "30", "--seed", "4", "--password", "p" * 12])
    again = runner.invoke(args=["demo", "--days", "30", "--seed", "4", "--password", "q" * 12])
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    timezone, logs = stored_logs(app, "demo")
    assert timezone == "Pacific/Kiritimati"
    assert len(logs) == len(list(demo_logs(4, 30, today_in(timezone))))
    assert max(row.date for row in logs) <= today_in(timezone)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Habit)) == len(DEMO_HABITS)
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert "Password: " + "q" * 12 in again.output


def test_demo_rejects_a_bad_username(runner):
    result = runner.invoke(args=["demo", "--username", "x"])
    assert result.exit_code != 0 and "Invalid username" in result.output


def test_demo_refuses_an_account_it_did_not_create(app, runner, make_user, make_habit):
    alice = make_user("alice")
    make_habit(alice.id, "Reading", logs=[(TODAY, 30, "chapter 3")])
    client = app.test_client()  # keeps no context (and no transaction) after a request
    login = client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert login.status_code == 302
    with app.app_context():
        before = db.session.get(User, alice.id).password_hash
    result = runner.invoke(args=["demo", "--username", "ALICE", "--password", "p" * 12])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: 'alice' is not a demo account, and `flask demo` would replace its habits, "
        "logs and password; nothing was changed. Choose another --username."
    ]
    with app.app_context():
        assert db.session.get(User, alice.id).password_hash == before
        assert db.session.scalars(select(Habit.name)).all() == ["Reading"]
        assert db.session.scalars(select(HabitLog.note)).all() == ["chapter 3"]
    assert client.get("/dashboard").status_code == 200  # the owner is still logged in
