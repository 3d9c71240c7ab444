"""The API fuzzed against the live app: schemathesis drives gunicorn on PostgreSQL.

These tests run only when the command line names this folder (`make test-api-contract`, part
of `make test-all`), never as part of a plain `pytest` run of the whole suite."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    """Collect these tests only when asked for by path: they need a server and PostgreSQL."""
    asked = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    if any(path == HERE or HERE in path.parents for path in asked):
        return None
    return True
