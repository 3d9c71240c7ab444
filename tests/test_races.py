"""Requests racing each other through the whole web stack, on every database: 20 clients send
the same request at the same moment, round after round, and the rules still hold."""

import threading
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from config import engine_options
from httracker import create_app
from httracker.extensions import db
from httracker.models import HabitLog, User
from httracker.timeutil import today_in

from .conftest import PASSWORD

THREADS = 20
ROUNDS = 10


@pytest.fixture
def race_app(database_url, app):
    """The app with a pool big enough for every thread to hold a connection at once."""
    options = {**engine_options(database_url), "pool_size": THREADS, "max_overflow": 0}
    racing = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )
    yield racing
    with racing.app_context():
        db.engine.dispose()


def logged_in_clients(app, usernames):
    """One test client per username, each logged in."""
    clients = []
    for username in usernames:
        client = app.test_client()
        response = client.post("/auth/login", data={"login": username, "password": PASSWORD})
        assert response.status_code == 302, username
        clients.append(client)
    return clients


def together(calls):
    """Run every call at the same moment, each in its own thread; their results (or the
    exception each raised, reported by the test rather than lost in the thread), in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index):
        try:
            barrier.wait(timeout=60)
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def post_together(clients, path, data_for):
    """POST `data_for(index)` to `path` from every client at once; the responses (or the
    exception a thread raised), in client order."""

    def post(index):
        response = clients[index].post(path, data=data_for(index))
        return response.status_code, response.get_data(as_text=True)

    return together([partial(post, index) for index in range(len(clients))])


def test_the_day_limit_holds_when_twenty_requests_log_1000_minutes_at_once(
    race_app, make_user, make_habit
):
    alice = make_user("alice")
    habit_id = make_habit(alice.id, "Piano")
    clients = logged_in_clients(race_app, ["alice"] * THREADS)
    today = today_in("UTC")
    for round_number in range(ROUNDS):
        day = today - timedelta(days=round_number + 1)
        data = {"habit_id": habit_id, "date": day.isoformat(), "minutes": "1000", "note": ""}
        results = post_together(clients, "/logs/new", lambda index, data=data: data)
        statuses = [result[0] if isinstance(result, tuple) else result for result in results]
        assert statuses.count(302) == 1, (round_number, statuses)
        assert statuses.count(400) == THREADS - 1, (round_number, statuses)
        for status, page in results:
            assert status == 302 or "A day has 24h" in page
        with race_app.app_context():
            total = db.session.scalar(
                select(func.sum(HabitLog.minutes)).where(HabitLog.date == day)
            )
        assert total == 1000, round_number


def test_one_of_twenty_users_gets_an_address_they_all_want_at_once(race_app, make_user):
    names = [f"user{index:02d}" for index in range(THREADS)]
    for name in names:
        make_user(name)
    clients = logged_in_clients(race_app, names)
    for round_number in range(ROUNDS):
        wanted = f"wanted{round_number}@example.com"
        data = {"email": wanted, "current_password": PASSWORD}
        results = post_together(clients, "/settings/email", lambda index, data=data: data)
        statuses = [result[0] if isinstance(result, tuple) else result for result in results]
        assert statuses.count(302) == 1, (round_number, statuses)
        assert statuses.count(400) == THREADS - 1, (round_number, statuses)
        for status, page in results:
            assert status == 302 or "An account with that email already exists." in page
        with race_app.app_context():
            owners = db.session.scalars(select(User.username).where(User.email == wanted)).all()
        assert len(owners) == 1
