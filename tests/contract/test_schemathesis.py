"""Schemathesis against the live API (gunicorn in its production configuration on a fresh
PostgreSQL database) with a write token: generated requests for every operation, including
invalid ones, and stateful sequences that follow the document's links from a create to the
get, update and delete of what it made. No 5xx, and every response matches the document."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.server import BIN, ROOT, Server

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/httracker_contract"
PASSWORD = "a long enough fuzzing passphrase"
# Every check but positive_data_acceptance: a request the schema allows may still break a rule
# of the product (a date in the future, a day over 24 hours) and get its 422.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
    "missing_required_header,unsupported_method,use_after_free,ensure_resource_availability,"
    "ignored_auth"
)
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30")
# The whole run stays within a few minutes, so CI keeps within its limit.
MAX_SECONDS = os.environ.get("SCHEMATHESIS_MAX_SECONDS", "150")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The per-token limit stays on, far above what the run sends, so 429s stay rare.
    os.environ.setdefault("API_RATE_LIMIT", "100000/minute")
    database_url = os.environ.get("CONTRACT_DATABASE_URL") or DEFAULT_DATABASE_URL
    running = Server(database_url, tmp_path_factory.mktemp("contract") / "gunicorn.log")
    yield running
    running.stop()


def write_token(server: Server) -> str:
    """An account made as an operator would, and a write token for it."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "httracker", "users", "create", "fuzzer", "fuzz@example.com"],
        cwd=ROOT,
        env=server.env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )
    return server.flask("tokens", "create", "fuzzer", "--scope", "write", "--name", "fuzz").strip()


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(server, tmp_path):
    secret = write_token(server)
    report = Path(os.environ.get("SCHEMATHESIS_REPORT_DIR") or tmp_path)
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{server.base_url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {secret}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        MAX_EXAMPLES,
        "--max-time",
        MAX_SECONDS,
        # One worker: hypothesis describes its strategies with ast.parse, which CPython 3.11
        # does not make safe across threads ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "16"),
        "--request-timeout",
        "20",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        "--no-color",
    ]
    hooks = {
        "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("hooks.py")),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **hooks}, capture_output=True, text=True, timeout=420
    )
    print(done.stdout[-6000:])
    print(done.stderr[-2000:])
    assert done.returncode == 0, done.stdout[-6000:]
    generated = re.search(r"(\d+) generated", done.stdout)
    assert generated and int(generated.group(1)) > 500, done.stdout[-2000:]
