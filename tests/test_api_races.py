"""Retries racing each other: a phone on a bad connection sends the same log with the same
Idempotency-Key many times at once; it is logged once and every answer is the first one."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import ApiIdempotencyKey, HabitLog
from httracker.timeutil import today_in

from .test_races import race_app, together  # noqa: F401 - race_app is a fixture

THREADS = 12
ROUNDS = 5


def post_together(app, secret, path, body, key):
    """POST `body` with the same key from THREADS clients at once; (status, json, headers)."""
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}

    def post():
        response = app.test_client().post(path, json=body, headers=headers)
        return response.status_code, response.get_json(), dict(response.headers)

    return together([post] * THREADS)


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
