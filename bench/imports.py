"""`python -m bench.imports`: two maximum-size imports at once, and /healthz meanwhile.

Builds its own database (its name must hold `bench`; it is dropped and recreated), starts
gunicorn with the production config (gunicorn.conf.py's worker model), imports one file alone,
then the same file from two accounts at once while one client asks /healthz every 20 ms, and
writes the seconds and the /healthz percentiles to bench/results/<date>-imports.md."""

import argparse
import http.client
import json
import os
import random
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from httracker.portability import MAX_IMPORT_BYTES

from . import data, server
from .load import Browser

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/httracker_bench_imports"
ACCOUNTS = ("solo", "first", "second")
HABITS = 20


def export_file(logs: int, seed: int = 7) -> bytes:
    """A JSON export of `logs` logs over 20 habits, every habit every day up to yesterday; at
    150,000 logs it is just under the 5 MB upload limit, the largest file a person can send."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    days = -(-logs // HABITS)
    first = date.today() - timedelta(days=days)
    habits = [{"name": f"Habit {number + 1}", "logs": []} for number in range(HABITS)]
    for index in range(logs):
        day = first + timedelta(days=index // HABITS)
        minutes = rng.randint(1, 1440 // HABITS)
        habits[index % HABITS]["logs"].append({"date": day.isoformat(), "minutes": minutes})
    document = {"format": "httracker-export", "version": 2, "habits": habits}
    return json.dumps(document, separators=(",", ":")).encode()


def create_accounts(database_url: str) -> None:
    """The benchmark's accounts, with the production password hash and nothing else."""
    password_hash = data.production_hasher().hash(data.PASSWORD)
    with psycopg.connect(data.libpq_url(database_url)) as connection:
        loader = data.Loader(connection, password_hash)
        for username in ACCOUNTS:
            loader.add_user(username, 0)
        loader.write_parents()
        loader.finish()


def upload(browser: Browser, payload: bytes) -> tuple[int, float]:
    """POST the file to /settings/import as the browser's account, then confirm its preview:
    (status of the confirmation, seconds for both)."""
    token = browser.csrf_token("/settings/")
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="export.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    body = head + payload + f"\r\n--{boundary}--\r\n".encode()
    headers = {
        "Cookie": browser.cookie_header(),
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    connection = http.client.HTTPConnection(browser.host, browser.port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("POST", "/settings/import", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 302:
            return response.status, time.perf_counter() - started
        preview = urlsplit(response.getheader("Location", "")).path
        status, _ = browser.post(f"{preview}/confirm", {"csrf_token": token})
        return status, time.perf_counter() - started
    finally:
        connection.close()


def sample_healthz(base_url: str, stop: threading.Event, latencies: list[float]) -> None:
    browser = Browser(base_url)
    while not stop.is_set():
        started = time.perf_counter()
        status, _ = browser.get("/healthz")
        latencies.append((time.perf_counter() - started) * 1000 if status == 200 else float("inf"))
        time.sleep(0.02)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(args) -> dict:
    payload = export_file(args.logs)
    if len(payload) > MAX_IMPORT_BYTES:
        raise SystemExit(f"{len(payload)} bytes is over the upload limit; use fewer --logs")
    data.recreate_database(args.database_url)
    data.migrate(args.database_url)
    create_accounts(args.database_url)
    log_path = RESULTS / "raw" / "imports-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with server.gunicorn(args.database_url, args.workers, log_path) as (base_url, _):
        browsers = {name: Browser(base_url) for name in ACCOUNTS}
        for name, browser in browsers.items():
            browser.login(name, data.PASSWORD)
        solo_status, solo_seconds = upload(browsers["solo"], payload)
        stop, latencies, results = threading.Event(), [], {}
        sampler = threading.Thread(target=sample_healthz, args=(base_url, stop, latencies))
        sampler.start()
        time.sleep(0.5)  # a few quiet samples first
        importers = [
            threading.Thread(
                target=lambda name=name: results.update({name: upload(browsers[name], payload)})
            )
            for name in ACCOUNTS[1:]
        ]
        started = time.perf_counter()
        for thread in importers:
            thread.start()
        for thread in importers:
            thread.join()
        both_seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
    statuses = [solo_status, *(status for status, _ in results.values())]
    if any(status != 302 for status in statuses):
        raise SystemExit(f"an import failed: statuses {statuses}; see {log_path}")
    return {
        "bytes": len(payload),
        "logs": args.logs,
        "workers": args.workers,
        "threads": int(os.environ.get("GUNICORN_THREADS", "4")),
        "solo_seconds": solo_seconds,
        "each_seconds": [seconds for _, seconds in results.values()],
        "both_seconds": both_seconds,
        "healthz_samples": len(latencies),
        "healthz_p50": percentile(latencies, 0.50),
        "healthz_p99": percentile(latencies, 0.99),
        "healthz_max": max(latencies),
    }


def report(figures: dict) -> str:
    each = " and ".join(f"{seconds:.2f}" for seconds in figures["each_seconds"])
    latency = " | ".join(
        f"{figures[key]:.1f} ms" for key in ("healthz_p50", "healthz_p99", "healthz_max")
    )
    met = "met" if figures["healthz_p99"] <= 500 else "NOT met"
    return f"""# Imports — {datetime.now(UTC):%Y-%m-%d}

`python -m bench.imports`: gunicorn with the production config ({figures["workers"]} `gthread`
workers × {figures["threads"]} threads) on PostgreSQL, on 127.0.0.1; one JSON export of
{figures["logs"]:,} logs over {HABITS} habits ({figures["bytes"]:,} bytes, the upload limit is
{MAX_IMPORT_BYTES:,}), posted to `/settings/import` through the form. The machine is shared and
noisy: compare figures from the same run.

| what | seconds |
|---|---|
| one import alone (request time) | {figures["solo_seconds"]:.2f} |
| two imports at once, two accounts (each request) | {each} |
| two imports at once (until both ended) | {figures["both_seconds"]:.2f} |

`/healthz` while the two imports ran, one client asking every 20 ms
({figures["healthz_samples"]} requests):

| p50 | p99 | max | target p99 ≤ 500 ms |
|---|---|---|---|
| {latency} | {met} |
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_IMPORTS_DATABASE_URL", DEFAULT_DATABASE),
    )
    parser.add_argument("--logs", type=int, default=150_000, help="logs in the file")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", type=Path, help="results file (default bench/results/)")
    args = parser.parse_args(argv)
    figures = run(args)
    text = report(figures)
    output = args.output or RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-imports.md"
    output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
