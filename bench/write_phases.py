"""`python -m bench.write_phases`: where the CPU of a log goes. In-process, with the production
config and CSRF checked as a browser's form is, it alternates `GET /healthz` and
`POST /logs/new` (a minute on one of the last 20 days, as the writer) and reports the median
CPU time of the process's thread in each phase of the two, beside their wall-clock medians.

Run it on the benchmark database left by `python -m bench.run --load-only`. Like bench.pages
it measures whatever code is on the import path."""

import argparse
import functools
import itertools
import os
import re
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta

import flask.sessions
import flask_wtf.csrf

from httracker.habits import log_insert, log_trip, logs

from .data import PASSWORD
from .probe import HTTPS, in_process_app
from .run import DEFAULT_DATABASE

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HABIT = re.compile(r'<option value="(\d+)"')


class Phases:
    """Thread CPU time spent in each wrapped call, per request."""

    def __init__(self):
        self.spent: dict[str, list[float]] = defaultdict(list)

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            began = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label].append(time.thread_time() - began)

        setattr(owner, name, timed)

    def take(self) -> dict[str, list[float]]:
        spent, self.spent = self.spent, defaultdict(list)
        return spent


def browser(app, username: str):
    """A test client logged in through the login form, as a browser is (CSRF token and all)."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = HTTPS + "/"  # a form posted from this site
    page = client.get("/auth/login", base_url=HTTPS).get_data(as_text=True)
    fields = {"login": username, "password": PASSWORD, "csrf_token": TOKEN.search(page)[1]}
    response = client.post("/auth/login", data=fields, base_url=HTTPS)
    if response.status_code != 302:
        raise RuntimeError(f"could not log in as {username} ({response.status_code})")
    client.get(response.headers["Location"], base_url=HTTPS).close()
    return client


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.write_phases", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=300, help="requests of each kind")
    args = parser.parse_args(argv)
    app = in_process_app(args.database_url or DEFAULT_DATABASE)
    app.config["WTF_CSRF_ENABLED"] = True
    client = browser(app, "writer")
    page = client.get("/logs/new", base_url=HTTPS).get_data(as_text=True)
    token, habit = TOKEN.search(page)[1], HABIT.search(page)[1]
    days = itertools.count()

    def log():
        day = date.today() - timedelta(days=1 + next(days) % 20)
        fields = {"habit_id": habit, "date": day.isoformat(), "minutes": "1", "csrf_token": token}
        response = client.post("/logs/new", data=fields, base_url=HTTPS)
        if response.status_code != 302:
            raise RuntimeError(f"POST /logs/new answered {response.status_code}")
        return response

    phases = Phases()
    sessions = flask.sessions.SecureCookieSessionInterface
    phases.wrap(app, "wsgi_app", "whole request")
    phases.wrap(sessions, "open_session", "session cookie read")
    phases.wrap(flask_wtf.csrf.CSRFProtect, "protect", "CSRF check")
    phases.wrap(app.login_manager, "_user_callback", "session user read")
    phases.wrap(logs, "LogForm", "form built")
    phases.wrap(log_trip, "log_in_one_trip", "lock, statement, COMMIT")
    phases.wrap(log_insert, "insert_at_once", "the log's statement")
    phases.wrap(logs, "commit", "commit")
    phases.wrap(sessions, "save_session", "session cookie written")
    for _ in range(20):  # warm the pool, the prepared statements and the caches
        client.get(log().headers["Location"], base_url=HTTPS).close()
        client.get("/healthz", base_url=HTTPS).close()
    phases.take()
    report(*measure(client, log, phases, args.samples))


def measure(client, log, phases: Phases, samples: int):
    """`/healthz` and a log in turns: CPU per phase and wall-clock times of each."""
    kinds = ("healthz", "log")
    cpu: dict[str, dict[str, list[float]]] = {kind: defaultdict(list) for kind in kinds}
    wall: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(samples):
        for kind in kinds:
            began = time.perf_counter()
            response = log() if kind == "log" else client.get("/healthz", base_url=HTTPS)
            wall[kind].append(time.perf_counter() - began)
            for label, times in phases.take().items():
                cpu[kind][label].append(sum(times))
            if kind == "log":  # the page the log leads to, as a browser opens it, untimed
                client.get(response.headers["Location"], base_url=HTTPS).close()
                phases.take()
    return cpu, wall


def report(cpu: dict, wall: dict) -> None:
    print(f"{'CPU of the thread, median ms':32} {'/healthz':>9} {'the log':>9}")
    for label in cpu["log"]:
        cells = []
        for kind in ("healthz", "log"):
            times = cpu[kind].get(label)
            cells.append(f"{statistics.median(times) * 1000:9.3f}" if times else f"{'-':>9}")
        print(f"{label:32} {cells[0]} {cells[1]}")
    medians = {kind: statistics.median(times) * 1000 for kind, times in wall.items()}
    print(f"{'wall clock, median ms':32} {medians['healthz']:9.3f} {medians['log']:9.3f}")
    print(f"the log / healthz: {medians['log'] / medians['healthz']:.2f}x (in-process)")


if __name__ == "__main__":
    main()
