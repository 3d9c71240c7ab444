"""`python -m bench.pages`: one-client medians of the analytics pages, in-process, on the
benchmark database left by `make bench-quick --load-only` (or any run).

It measures whatever code is on the import path, so two versions of the app can be compared on
the same data in one sitting: run it from each checkout against the same database."""

import argparse
import json
import os
import statistics
import time

from .probe import HTTPS, _login, in_process_app
from .run import DEFAULT_DATABASE

PAGES = (
    ("heavy", "/analytics/?range=365d"),
    ("heavy", "/analytics/?range=all"),
    ("heavy", "/analytics/data.json?range=365d"),
    ("heavy", "/dashboard"),
    ("grow1000", "/analytics/data.json?range=365d"),
    ("grow100000", "/analytics/data.json?range=365d"),
    ("grow100000", "/analytics/data.json?range=all"),
)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=15, help="requests per page")
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args(argv)
    app = in_process_app(args.database_url or DEFAULT_DATABASE)
    clients = {}
    rows = []
    for user, path in PAGES:
        try:
            if user not in clients:
                clients[user] = _login(app, user)
        except RuntimeError:
            continue  # an account this run's sizes did not create
        client = clients[user]
        client.get(path, base_url=HTTPS).close()  # warm the connection and caches
        times = []
        for _ in range(args.samples):
            began = time.perf_counter()
            response = client.get(path, base_url=HTTPS)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            response.close()
        rows.append(
            {
                "label": args.label,
                "user": user,
                "path": path,
                "median_ms": round(statistics.median(times), 1),
            }
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
