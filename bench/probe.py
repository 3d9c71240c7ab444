"""In-process measurements: queries per request, the analytics query plans, ms per Argon2 hash."""

import re
import secrets
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event

from httracker import create_app
from httracker.extensions import db

from .data import PASSWORD, production_hasher

HTTPS = "https://localhost"  # production cookies are Secure (and may carry a __Host- prefix)


def in_process_app(database_url: str):
    """The app with the production config on the benchmark database; CSRF off for the client."""
    return create_app(
        {
            "ENV": "production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


@contextmanager
def recording(app):
    """Collect (statement, parameters) of every query the app runs inside the block."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _login(app, username: str):
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"login": username, "password": PASSWORD}, base_url=HTTPS
    )
    if response.status_code != 302:
        raise RuntimeError(f"in-process login as {username} answered {response.status_code}")
    # As a browser does: open the page the login leads to, which shows (and so ends) its
    # messages; a session with a message waiting gets no kept pages (pagecache.py).
    client.get(response.headers["Location"], base_url=HTTPS).close()
    return client


def query_counts(app, requests: list[dict]) -> dict[str, int]:
    """Queries each request runs, keyed by label; each request is {label, user, method, path,
    data}. A second pass is counted, so one-off work (first connection) is left out."""
    clients: dict[str | None, object] = {}
    counts = {}
    for spec in requests:
        user = spec.get("user")
        if user not in clients:
            clients[user] = _login(app, user) if user else app.test_client()
        client = clients[user]
        for _ in range(2):
            with recording(app) as statements:
                if spec.get("method") == "POST":
                    response = client.post(spec["path"], data=spec["data"](), base_url=HTTPS)
                else:
                    response = client.get(spec["path"], base_url=HTTPS)
            response.close()
            if response.status_code >= 400:
                raise RuntimeError(f"{spec['label']} answered {response.status_code} in-process")
        counts[spec["label"]] = len(statements)
    return counts


def explain_analytics(app, username: str, path: str) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of every habit_log query `path` runs for `username`."""
    client = _login(app, username)
    with recording(app) as statements:
        client.get(path, base_url=HTTPS).close()
    plans = []
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            if "habit_log" not in statement:
                continue
            explain = "EXPLAIN (ANALYZE, BUFFERS) " + statement
            plan = "\n".join(row[0] for row in connection.exec_driver_sql(explain, parameters))
            plans.append({"statement": statement, "plan": plan, "indexes": _indexes(plan)})
        connection.rollback()
    return plans


INDEX_SCAN = re.compile(r"Index (?:Only )?Scan(?: Backward)? (?:using|on) (\S+)")


def _indexes(plan: str) -> list[str]:
    """Index names the plan scans (index, index-only and bitmap index scans)."""
    names = []
    for name in INDEX_SCAN.findall(plan):
        if name not in names:
            names.append(name)
    return names


def argon2_ms(samples: int = 5) -> float:
    """Median milliseconds for one hash with the production Argon2 parameters."""
    hasher = production_hasher()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        hasher.hash(PASSWORD)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
