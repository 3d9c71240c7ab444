"""`python -m bench.derived`: one-client medians, in-process, of the pages the stored analytics
state serves, warm (steady state) and cold (the first read after a log on a day ten years
back), and of the write (`POST /logs/new`) against `/healthz`, on the benchmark database left
by `python -m bench.run --load-only`.

Like bench.pages it measures whatever code is on the import path: run it from two checkouts
against the same database to compare them (`--no-cold` for a version without stored state)."""

import argparse
import json
import os
import statistics
import time
from datetime import date, timedelta

from .probe import HTTPS, _login, in_process_app
from .run import DEFAULT_DATABASE

PAGES = (
    ("heavy", "/analytics/?range=365d"),
    ("heavy", "/analytics/?range=all"),
    ("heavy", "/analytics/data.json?range=30d"),
    ("heavy", "/dashboard"),
    ("heavy", "/habits/{habit}"),
    ("grow1000", "/analytics/data.json?range=365d"),
    ("grow100000", "/analytics/data.json?range=365d"),
    ("grow1000", "/analytics/data.json?range=all"),
    ("grow100000", "/analytics/data.json?range=all"),
)


def timed(call, samples: int) -> float:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code in (200, 302), response.status_code
        response.close()
    return round(statistics.median(times), 1)


def first_habit(app, username: str) -> int:
    from sqlalchemy import select

    from httracker.extensions import db
    from httracker.models import Habit, User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        return db.session.scalar(select(Habit.id).where(Habit.user_id == user_id).limit(1))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.derived", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--no-cold", action="store_true")
    args = parser.parse_args(argv)
    app = in_process_app(args.database_url or DEFAULT_DATABASE)
    habit = first_habit(app, "heavy")
    clients, rows = {}, []

    def row(what, user, path, median):
        rows.append(
            {"label": args.label, "what": what, "user": user, "path": path, "median_ms": median}
        )

    health = app.test_client()
    health.get("/healthz", base_url=HTTPS).close()
    row(
        "warm", "-", "/healthz", timed(lambda: health.get("/healthz", base_url=HTTPS), args.samples)
    )
    for user, path in PAGES:
        path = path.format(habit=habit)
        if user not in clients:
            clients[user] = _login(app, user)
        client = clients[user]
        client.get(path, base_url=HTTPS).close()  # the first read stores the state
        row(
            "warm",
            user,
            path,
            timed(lambda c=client, p=path: c.get(p, base_url=HTTPS), args.samples),
        )
    heavy = clients["heavy"]
    today = date.today()
    recent = iter(range(1, 10_000))

    def post(on):
        data = {"habit_id": habit, "date": on.isoformat(), "minutes": "1", "note": ""}
        return heavy.post("/logs/new", data=data, base_url=HTTPS)

    # The write: one minute on a recent day (this month's days are after the checkpoint).
    row(
        "write",
        "heavy",
        "POST /logs/new (recent day)",
        timed(lambda: post(today - timedelta(days=next(recent) % 20)), args.samples),
    )
    if not args.no_cold:
        for path in ("/dashboard", f"/habits/{habit}", "/analytics/?range=all"):
            cold = []
            for back in range(args.samples):
                post(today - timedelta(days=3640 - 7 * back)).close()
                began = time.perf_counter()
                heavy.get(path, base_url=HTTPS).close()
                cold.append((time.perf_counter() - began) * 1000)
            row(
                "cold (after a log 10 years back)", "heavy", path, round(statistics.median(cold), 1)
            )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
