"""`python -m bench.profile PATH [USER]`: profile one page in-process on the benchmark database.

Run after `make bench-quick` (or `make bench`), which leaves the loaded database behind."""

import argparse
import os

from pyinstrument import Profiler

from .probe import HTTPS, _login, in_process_app
from .run import DEFAULT_DATABASE


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("path", help="the page, e.g. /analytics/?range=all")
    parser.add_argument("user", nargs="?", default="heavy", help="the account (default heavy)")
    parser.add_argument("--repeat", type=int, default=10, help="requests profiled")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    app = in_process_app(args.database_url or DEFAULT_DATABASE)
    client = _login(app, args.user)
    client.get(args.path, base_url=HTTPS).close()  # warm caches and the connection pool
    profiler = Profiler()
    with profiler:
        for _ in range(args.repeat):
            client.get(args.path, base_url=HTTPS).close()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
