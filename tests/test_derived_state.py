"""The stored analytics state: its rows go with the account or habit they describe, writes move
its checkpoint back, and `flask stats rebuild|check` rebuild it and find differences."""

from datetime import date, timedelta

from sqlalchemy import func, select, update

from httracker.analytics import derived, stats_check
from httracker.extensions import db
from httracker.models import HabitMonthTotal, HabitStatsState, User
from httracker.timeutil import today_in


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def checkpoints() -> dict:
    query = select(HabitStatsState.habit_id, HabitStatsState.checkpoint)
    return dict(db.session.execute(query).all())


def logged_user(app, client, make_user, make_habit, name):
    """A user with two habits and ten weeks of logs, whose pages have been read once."""
    user = make_user(name)
    today = today_in("UTC")
    logs = [(today - timedelta(days=back), 30, None) for back in range(0, 70, 2)]
    ids = [make_habit(user.id, habit, target_minutes=20, logs=logs) for habit in ("A", "B")]
    return user, ids


def test_deleting_a_habit_or_the_account_leaves_no_derived_rows(
    app, client, auth, make_user, make_habit
):
    alice, ids = logged_user(app, client, make_user, make_habit, "alice")
    bob, _ = logged_user(app, client, make_user, make_habit, "bob")
    for name in ("bob", "alice"):
        auth.login(name)
        assert client.get("/analytics/?range=all").status_code == 200
        if name == "bob":
            auth.logout()
    with app.app_context():
        assert count(HabitStatsState, user_id=alice.id) == 2
        assert count(HabitMonthTotal, habit_id=ids[0]) > 0
    response = client.post(f"/habits/{ids[0]}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert count(HabitStatsState, habit_id=ids[0]) == 0
        assert count(HabitMonthTotal, habit_id=ids[0]) == 0
        assert count(HabitMonthTotal, habit_id=ids[1]) > 0
    response = client.post(
        "/settings/delete",
        data={"current_password": "correct horse battery", "confirm_username": "alice"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert count(HabitStatsState, user_id=alice.id) == 0
        assert count(HabitMonthTotal, user_id=alice.id) == 0
        assert count(HabitStatsState, user_id=bob.id) == 2  # the other account keeps its own


def test_a_log_on_an_old_day_moves_only_its_habits_checkpoint_back(
    app, client, auth, make_user, make_habit
):
    alice, ids = logged_user(app, client, make_user, make_habit, "alice")
    auth.login("alice")
    client.get("/dashboard")
    today = today_in("UTC")
    with app.app_context():
        before = checkpoints()
    assert before[ids[0]] == before[ids[1]] == derived.checkpoint_for(today)
    old = date(today.year - 5, 6, 15)
    response = client.post(
        "/logs/new", data={"habit_id": ids[0], "date": old.isoformat(), "minutes": "40", "note": ""}
    )
    assert response.status_code == 302
    with app.app_context():
        after = checkpoints()
        assert after[ids[0]] == date(old.year, 5, 1)  # the month before the week of the log
        assert after[ids[1]] == before[ids[1]]
        assert count(HabitMonthTotal, habit_id=ids[1]) > 0
    document = client.get("/analytics/data.json?range=all").get_json()
    minutes = {habit["id"]: habit["minutes"] for habit in document["habits"]}
    assert minutes[ids[0]] == minutes[ids[1]] + 40


def test_stats_check_finds_a_tampered_month_and_rebuild_repairs_it(
    app, client, auth, make_user, make_habit, runner
):
    alice, ids = logged_user(app, client, make_user, make_habit, "alice")
    auth.login("alice")
    client.get("/analytics/?range=all")
    result = runner.invoke(args=["stats", "check", "alice"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(
            update(HabitMonthTotal)
            .where(HabitMonthTotal.habit_id == ids[1])
            .values(minutes=HabitMonthTotal.minutes + 1)
        )
        db.session.commit()
    result = runner.invoke(args=["stats", "check"])
    assert result.exit_code == 1
    assert "alice / B /" in result.output and "minutes stored" in result.output
    result = runner.invoke(args=["stats", "rebuild", "alice"])
    assert result.exit_code == 0 and "alice: 2 habits rebuilt." in result.output
    result = runner.invoke(args=["stats", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.get(User, alice.id)
        assert stats_check.differences(user, today_in("UTC")) == []
        latest = derived.checkpoint_for(today_in("UTC"))
        assert count(HabitStatsState, user_id=alice.id, checkpoint=latest) == 2


def versions() -> dict:
    return dict(db.session.execute(select(HabitStatsState.habit_id, HabitStatsState.version)).all())


def test_a_write_in_the_current_month_leaves_the_stored_state_and_reads_stay_right(
    app, client, auth, make_user, make_habit, monkeypatch
):
    from httracker.analytics import report

    today = date(2026, 3, 20)
    monkeypatch.setattr(report, "today_for", lambda user: today)
    monkeypatch.setattr(derived, "latest_today", lambda: today)
    alice = make_user("alice")
    logs = [(today - timedelta(days=back), 30, None) for back in range(1, 70, 2)]
    ids = [make_habit(alice.id, name, target_minutes=20, logs=logs) for name in ("A", "B")]
    auth.login("alice")
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        stored, kept = versions(), checkpoints()
        months = count(HabitMonthTotal, habit_id=ids[0])
    assert kept[ids[0]] == derived.checkpoint_for(today) == date(2026, 2, 1) and months > 0

    def log(day, minutes):
        data = {"habit_id": ids[0], "date": day.isoformat(), "minutes": str(minutes), "note": ""}
        assert client.post("/logs/new", data=data).status_code == 302

    def minutes_of_a():
        document = client.get("/analytics/data.json?range=all").get_json()
        return {habit["id"]: habit["minutes"] for habit in document["habits"]}[ids[0]]

    before = minutes_of_a()
    # The 8th: its week began on the 2nd, within March: no stored month changes.
    log(date(2026, 3, 8), 40)
    with app.app_context():
        assert versions() == stored and checkpoints() == kept
        assert count(HabitMonthTotal, habit_id=ids[0]) == months
        assert stats_check.differences(db.session.get(User, alice.id), today) == []
    assert minutes_of_a() == before + 40
    # The 5th: its week began in February, which is stored: the habit's state moves back.
    log(date(2026, 3, 5), 25)
    with app.app_context():
        assert versions()[ids[0]] == stored[ids[0]] + 1
        assert checkpoints()[ids[0]] == date(2026, 1, 1)
        assert versions()[ids[1]] == stored[ids[1]]
    assert minutes_of_a() == before + 65
    with app.app_context():
        assert stats_check.differences(db.session.get(User, alice.id), today) == []
