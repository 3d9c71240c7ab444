"""Writes and reads racing each other over the stored analytics state, on every database: logs
added on old days while other requests carry and store the same habits' state; afterwards the
stored state equals a computation from nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from httracker.analytics import stats_check
from httracker.extensions import db
from httracker.models import HabitLog, HabitMonthTotal, HabitStatsState, User
from httracker.timeutil import today_in

from .test_races import logged_in_clients, race_app, together  # noqa: F401 - the fixture

CLIENTS = 8
ROUNDS = 6


def test_concurrent_writes_and_reads_leave_the_state_consistent(
    race_app,  # noqa: F811
    make_user,
    make_habit,
):
    alice = make_user("alice")
    habits = [make_habit(alice.id, name, target_minutes=20) for name in ("Piano", "Run")]
    clients = logged_in_clients(race_app, ["alice"] * CLIENTS)
    today = today_in("UTC")
    clients[0].get("/dashboard")  # the first read stores both habits' state
    for round_number in range(ROUNDS):
        calls = []
        for index, client in enumerate(clients):
            if index % 2:
                calls.append(lambda client=client: client.get("/analytics/data.json?range=all"))
            else:
                # Old days: before the checkpoint, so every write moves it back.
                day = today - timedelta(days=40 + 9 * round_number + index)
                data = {
                    "habit_id": habits[index % 4 // 2],
                    "date": day.isoformat(),
                    "minutes": "25",
                    "note": "",
                }
                calls.append(lambda client=client, data=data: client.post("/logs/new", data=data))
        results = together(calls)
        for result in results:
            assert not isinstance(result, Exception), result
            assert result.status_code in (200, 302), result.status_code
        with race_app.app_context():
            user = db.session.get(User, alice.id)
            assert stats_check.differences(user, today) == [], round_number
    with race_app.app_context():
        logged = db.session.scalar(select(func.count()).select_from(HabitLog))
        assert logged == ROUNDS * CLIENTS // 2
    # A read after the race shows every log.
    document = clients[1].get("/analytics/data.json?range=all").get_json()
    assert document["totals"]["minutes"] == 25 * ROUNDS * CLIENTS // 2
    with race_app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(HabitStatsState))
        assert stored == 2
        assert db.session.scalar(select(func.count()).select_from(HabitMonthTotal)) > 0
        assert stats_check.differences(db.session.get(User, alice.id), today) == []
