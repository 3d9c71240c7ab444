"""Retries racing each other: a phone on a bad connection sends the same log with the same
Idempotency-Key many times at once; it is logged once and every answer is the first one."""

import json
import threading
from datetime import timedelta

from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import ApiIdempotencyKey, HabitLog
from httracker.timeutil import today_in

from .test_races import race_app  # noqa: F401 - a fixture

THREADS = 12
ROUNDS = 5


def post_together(app, secret, path, body, key):
    """POST `body` with the same key from THREADS clients at once; (status, json, headers)."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def worker(index):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
        try:
            barrier.wait(timeout=60)
            response = client.post(path, json=body, headers=headers)
            results[index] = (response.status_code, response.get_json(), dict(response.headers))
        except Exception as error:  # reported by the test, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_racing_retries_with_one_key_log_once(
    race_app,  # noqa: F811 - the fixture imported above
    make_user,
    make_habit,
    make_token,
):
    alice = make_user("alice")
    habit_id = make_habit(alice.id, "Walk")
    secret = make_token(alice.id)
    today = today_in("UTC")
    for round_number in range(ROUNDS):
        day = today - timedelta(days=round_number + 1)
        body = {"habit_id": habit_id, "minutes": 10, "date": day.isoformat()}
        results = post_together(race_app, secret, "/api/v1/logs", body, f"walk-{round_number}")
        assert all(isinstance(result, tuple) for result in results), results
        assert {status for status, _, _ in results} == {201}, round_number
        bodies = {json.dumps(answer, sort_keys=True) for _, answer, _ in results}
        assert len(bodies) == 1, bodies
        replayed = [headers.get("Idempotent-Replayed") for _, _, headers in results]
        assert replayed.count(None) == 1 and replayed.count("true") == THREADS - 1
        with race_app.app_context():
            logs = db.session.scalar(
                select(func.count()).select_from(HabitLog).where(HabitLog.date == day)
            )
            keys = db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey))
        assert logs == 1, (round_number, logs)
        assert keys == round_number + 1
