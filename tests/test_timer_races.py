"""Timer requests racing each other through the whole web stack, on every database (the point
is PostgreSQL and MariaDB, where requests really run at once): twenty Stop presses at the same
moment log the timer once, twenty Starts leave one timer, and a Start racing an archive or a
change of kind never leaves a timer on an archived habit or a check habit."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from httracker.extensions import db
from httracker.models import Habit, HabitLog, HabitTimer, utcnow

from .test_races import (  # noqa: F401
    THREADS,
    logged_in_clients,
    post_together,
    race_app,
    together,
)

ROUNDS = 5
TARGET_COLUMNS = ("kind", "target_minutes", "target_period", "target_direction", "target_times")


def statuses(results):
    return [result[0] if isinstance(result, tuple) else result for result in results]


def test_twenty_stops_at_once_log_the_timer_exactly_once(race_app, make_user, make_habit):  # noqa: F811
    alice = make_user("alice")
    habit_id = make_habit(alice.id, "Piano")
    clients = logged_in_clients(race_app, ["alice"] * THREADS)
    for round_number in range(ROUNDS):
        with race_app.app_context():
            db.session.add(
                HabitTimer(
                    user_id=alice.id,
                    habit_id=habit_id,
                    started_at=utcnow().replace(microsecond=0) - timedelta(minutes=25),
                    note=f"round {round_number}",
                )
            )
            db.session.commit()
        results = post_together(clients, "/timer/stop", lambda index: {})
        assert statuses(results) == [302] * THREADS, (round_number, results)
        with race_app.app_context():
            logged = db.session.execute(
                select(HabitLog.date, HabitLog.minutes).where(
                    HabitLog.note == f"round {round_number}"
                )
            ).all()
            assert db.session.scalar(select(func.count(HabitTimer.id))) == 0
        # 25 minutes, or 26 when the clock turned a minute meanwhile; once, not twenty times. A
        # timer that ran over the user's midnight logs one entry on each of the two days.
        days = [day for day, _ in logged]
        assert len(set(days)) == len(days) and len(days) in (1, 2), (round_number, logged)
        assert sum(minutes for _, minutes in logged) in (25, 26), (round_number, logged)


def test_twenty_starts_at_once_leave_one_timer(race_app, make_user, make_habit):  # noqa: F811
    alice = make_user("alice")
    habit_ids = [make_habit(alice.id, f"Habit {index}") for index in range(THREADS)]
    clients = logged_in_clients(race_app, ["alice"] * THREADS)
    for round_number in range(ROUNDS):
        results = post_together(
            clients, "/timer/start", lambda index: {"habit_id": habit_ids[index]}
        )
        assert statuses(results) == [302] * THREADS, (round_number, results)
        with race_app.app_context():
            assert db.session.scalar(select(func.count(HabitTimer.id))) == 1


def race_against_start(race_app, clients, habit_id, path, data, reset):  # noqa: F811
    """Round after round, half the clients POST `data` to `path` while the other half start a
    timer on the habit, all at once; each round's statuses and the habit and timers after it."""
    half = THREADS // 2
    rounds = []
    for _ in range(ROUNDS * 2):
        with race_app.app_context():
            db.session.execute(delete(HabitTimer))
            db.session.execute(update(Habit).where(Habit.id == habit_id).values(**reset))
            db.session.commit()

        def post(index):
            if index < half:
                response = clients[index].post(path, data=data)
            else:
                response = clients[index].post("/timer/start", data={"habit_id": habit_id})
            return response.status_code

        results = together([lambda index=index: post(index) for index in range(THREADS)])
        with race_app.app_context():
            habit = db.session.get(Habit, habit_id)
            timed = db.session.scalars(select(HabitTimer.habit_id)).all()
            rounds.append((results, habit.archived, habit.kind, timed))
    return rounds


@pytest.fixture
def piano(race_app, make_user, make_habit):  # noqa: F811
    """Alice's time habit Piano and THREADS logged-in clients of hers: (habit id, clients)."""
    alice = make_user("alice")
    return make_habit(alice.id, "Piano"), logged_in_clients(race_app, ["alice"] * THREADS)


def test_archiving_and_starting_at_once_never_leave_a_timer_on_an_archived_habit(
    race_app,  # noqa: F811
    piano,
):
    habit_id, clients = piano
    rounds = race_against_start(
        race_app, clients, habit_id, f"/habits/{habit_id}/archive", {}, {"archived": False}
    )
    for results, archived, _, timed in rounds:
        # Archives redirect, whether refused or done; starts redirect or are refused (400).
        assert set(results) <= {302, 400}, results
        # One side wins: an archived habit without a timer, or a timed habit left active.
        assert (archived, timed) in ((True, []), (False, [habit_id])), (results, archived, timed)
    # Both orders happen (else the race was never run): a start refused on an archived habit.
    assert any(400 in results for results, *_ in rounds)


def test_changing_the_kind_and_starting_at_once_never_leave_a_timer_on_a_check_habit(
    race_app,  # noqa: F811
    piano,
):
    habit_id, clients = piano
    data = {"name": "Piano", "kind": "check", "target_period": "day", "target_times": "1"}
    with race_app.app_context():
        habit = db.session.get(Habit, habit_id)
        as_made = {column: getattr(habit, column) for column in TARGET_COLUMNS}
    assert as_made["kind"] == "time"
    rounds = race_against_start(
        race_app, clients, habit_id, f"/habits/{habit_id}/edit", data, as_made
    )
    for results, _, kind, timed in rounds:
        assert set(results) <= {302, 400}, results
        assert (kind, timed) in (("check", []), ("time", [habit_id])), (results, kind, timed)
