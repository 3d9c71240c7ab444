"""`python -m bench.run`: build the data, start the server, load it, write the results."""

import argparse
import itertools
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import data, load, probe, report, server

RESULTS = Path(__file__).resolve().parent / "results"
SCRATCH = RESULTS / "raw"  # not committed: quick runs' results and the server log
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/httracker_bench"
FLOOR = "/healthz"
PAGES = (
    ("/healthz", "/healthz"),
    ("/dashboard", "/dashboard"),
    ("/habits/", "/habits/"),
    ("/logs/", "/logs/"),
    ("/analytics/?range=30d", "/analytics/?range=30d"),
    ("/analytics/?range=365d", "/analytics/?range=365d"),
    ("/analytics/?range=all", "/analytics/?range=all"),
    ("/analytics/data.json?range=365d", "/analytics/data.json?range=365d"),
)
LOG_BODY = "habit_id={habit}&date={{date}}&minutes=30&note=bench"
# Most logs are of today or a recent day: a minute each, so the days never fill.
RECENT_LOG_BODY = "habit_id={habit}&date={{recent}}&minutes=1&note=bench"
GROWTH_PATHS = ("/analytics/data.json?range=365d", "/analytics/data.json?range=all")
HEAVY_PATHS = ("/analytics/?range=365d", "/analytics/?range=all", "/dashboard", "/habits/{habit}")
WRITE = report.WRITE


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--users", type=int, help="population size (default 1000)")
    parser.add_argument("--habits", type=int, default=5, help="habits per population user")
    parser.add_argument("--days", type=int, help="days of population logs (default 365)")
    parser.add_argument("--heavy-habits", type=int, default=20)
    parser.add_argument("--heavy-years", type=int, help="years of heavy-user logs (default 10)")
    parser.add_argument(
        "--growth", help="log counts of the growth users (default 1000,10000,100000)"
    )
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--samples", type=int, help="sequential requests per median (default 30)")
    parser.add_argument(
        "--output", type=Path, help="results directory (default bench/results, quick: results/raw)"
    )
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="build and load the database, then stop (to profile)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.database_url = args.database_url or DEFAULT_DATABASE
    args.users = args.users if args.users is not None else (50 if quick else 1000)
    args.days = args.days or 365
    args.heavy_years = args.heavy_years or (2 if quick else 10)
    args.growth = [
        int(size)
        for size in (args.growth or ("1000,10000" if quick else "1000,10000,100000")).split(",")
    ]
    args.output = args.output or (SCRATCH if quick else RESULTS)
    args.duration = args.duration or (2 if quick else 10)
    args.samples = args.samples or (8 if quick else 30)
    return args


def step(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def throughput(base_url, account_name, args, writer, login_user) -> list[load.LoadResult]:
    """wrk over every page as `account_name`, then the two POSTs, each between two short
    /healthz runs: on a shared machine the floor drifts, so each endpoint is compared with the
    floor measured around it."""
    browser = load.Browser(base_url)
    browser.login(account_name, data.PASSWORD)
    # As a browser does after logging in: the first dashboard of a login may show a notice
    # once and say so in the session cookie, which wrk then replays.
    browser.get("/dashboard")
    cookie = browser.cookie_header()
    targets = [(label, base_url + path, cookie, None) for label, path in PAGES[1:]]
    poster = load.Browser(base_url)
    poster.login(writer.username, data.PASSWORD)
    token = poster.csrf_token("/logs/new")
    for label, template in (("POST /logs/new", LOG_BODY), (WRITE, RECENT_LOG_BODY)):
        body = template.format(habit=writer.habit_ids[0]) + f"&csrf_token={token}"
        targets.append((label, base_url + "/logs/new", poster.cookie_header(), body))
    visitor = load.Browser(base_url)
    token = visitor.csrf_token("/auth/login")
    body = f"login={login_user}&password={data.PASSWORD}&csrf_token={token}"
    targets.append(("POST /auth/login", base_url + "/auth/login", visitor.cookie_header(), body))

    floor_seconds = max(2, args.duration // 3)

    def floor():
        return load.run_wrk(FLOOR, base_url + FLOOR, "", floor_seconds, args.connections)

    before = floor()
    floors = [before]
    runs = []
    for label, url, cookies, form in targets:
        run = load.run_wrk(label, url, cookies, args.duration, args.connections, body=form)
        after = floor()
        floors.append(after)
        run.floor_rps = (before.rps + after.rps) / 2
        runs.append(run)
        before = after
    summary = load.LoadResult(
        label=FLOOR,
        requests=sum(run.requests for run in floors),
        seconds=sum(run.seconds for run in floors),
        errors=sum(run.errors for run in floors),
        p50_ms=statistics.median(run.p50_ms for run in floors),
        p95_ms=statistics.median(run.p95_ms for run in floors),
        p99_ms=statistics.median(run.p99_ms for run in floors),
    )
    summary.floor_rps = summary.rps
    summary.floor_spread = (min(run.rps for run in floors), max(run.rps for run in floors))
    return [summary, *runs]


def heavy_medians(base_url, loaded, samples: int) -> dict[str, float]:
    """One client, the heavy user's pages, and the write most writes are (a few minutes on a
    recent day, by the writer) against /healthz, taken in turns."""
    heavy = load.Browser(base_url)
    heavy.login("heavy", data.PASSWORD)
    writer = load.Browser(base_url)
    writer.login(loaded.writer.username, data.PASSWORD)
    token = writer.csrf_token("/logs/new")
    days = itertools.count()

    def recent_log() -> dict:
        day = datetime.now(UTC).date() - timedelta(days=1 + next(days) % 20)
        habit = loaded.writer.habit_ids[0]
        return {"habit_id": habit, "date": day, "minutes": "1", "note": "", "csrf_token": token}

    paths = [path.format(habit=loaded.heavy.habit_ids[0]) for path in HEAVY_PATHS]
    requests = [(heavy, path) for path in paths]
    requests += [(writer, FLOOR), (writer, "/logs/new", recent_log)]
    times = load.interleaved_medians(requests, samples)
    return dict(zip([*HEAVY_PATHS, FLOOR, WRITE], times, strict=True))


def growth_medians(base_url, accounts: dict, samples: int) -> dict:
    """One client, every growth account's pages taken in turns: {size: (logs, {path: ms})}."""
    requests, keys = [], []
    for size, account in sorted(accounts.items()):
        browser = load.Browser(base_url)
        browser.login(account.username, data.PASSWORD)
        for path in GROWTH_PATHS:
            requests.append((browser, path))
            keys.append((size, path))
    times = dict(zip(keys, load.interleaved_medians(requests, samples), strict=True))
    return {
        size: (account.logs, {path: times[size, path] for path in GROWTH_PATHS})
        for size, account in accounts.items()
    }


def main(argv=None) -> None:
    args = arguments(argv)
    started = time.monotonic()
    load.ensure_wrk()
    os.environ["DATABASE_URL"] = args.database_url
    step(f"database {args.database_url.rsplit('/', 1)[-1]}: drop, create, migrate")
    data.recreate_database(args.database_url)
    data.migrate(args.database_url)
    step(
        f"loading {args.users} users x {args.habits} habits x {args.days} days,"
        " the heavy user and the growth users"
    )
    loaded = data.load(args.database_url, args)
    loaded.seconds = time.monotonic() - started
    step(f"loaded {loaded.total_logs:,} logs in {loaded.seconds:.0f} s")
    if args.load_only:
        return

    typical = loaded.population[len(loaded.population) // 2]
    app = probe.in_process_app(args.database_url)
    requests = [{"label": label, "user": typical.username, "path": path} for label, path in PAGES]
    requests.append(
        {
            "label": "POST /logs/new",
            "user": loaded.writer.username,
            "method": "POST",
            "path": "/logs/new",
            "data": lambda: {
                "habit_id": loaded.writer.habit_ids[0],
                "date": "2001-06-01",
                "minutes": "5",
                "note": "",
            },
        }
    )
    requests.append(
        {
            "label": WRITE,
            "user": loaded.writer.username,
            "method": "POST",
            "path": "/logs/new",
            "data": lambda: {
                "habit_id": loaded.writer.habit_ids[0],
                "date": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
                "minutes": "1",
                "note": "",
            },
        }
    )
    requests.append(
        {
            "label": "POST /auth/login",
            "method": "POST",
            "path": "/auth/login",
            "data": lambda: {"login": typical.username, "password": data.PASSWORD},
        }
    )
    step("queries per request (in-process)")
    queries = probe.query_counts(app, requests)
    heavy_queries = probe.query_counts(
        app, [{"label": label, "user": "heavy", "path": path} for label, path in PAGES]
    )
    step("EXPLAIN (ANALYZE, BUFFERS) of the analytics queries for the heavy user")
    plans = probe.explain_analytics(app, "heavy", "/analytics/data.json?range=all")
    argon2 = probe.argon2_ms()

    results = report.Results(
        args=args,
        loaded=loaded,
        typical=typical.username,
        queries=queries,
        heavy_queries=heavy_queries,
        plans=plans,
        argon2_ms=argon2,
    )
    log_path = SCRATCH / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with server.gunicorn(args.database_url, args.workers, log_path) as (base_url, process):
        step(f"gunicorn on {base_url}, {args.workers} workers")
        step("one client: the heavy user's pages, a write and /healthz, in turns")
        results.heavy_medians = heavy_medians(base_url, loaded, args.samples)
        step("one client: the growth users, in turns")
        results.growth = growth_medians(base_url, loaded.growth, args.samples)
        step(f"wrk as a typical user ({typical.username})")
        results.typical_runs = throughput(
            base_url, typical.username, args, loaded.writer, typical.username
        )
        step("wrk as the heavy user")
        results.heavy_runs = throughput(base_url, "heavy", args, loaded.writer, typical.username)
        results.rss_mb = server.worker_rss_mb(process.pid)
    results.uptime = Path("/proc/loadavg").read_text().split()[:3]
    results.seconds = time.monotonic() - started
    paths = report.write(results, args.output)
    step("wrote " + ", ".join(str(path) for path in paths))
    print(report.summary(results))


if __name__ == "__main__":
    main()
