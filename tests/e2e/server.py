"""The app as it runs in production: a fresh PostgreSQL database, migrated, served by gunicorn."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import recreate_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/httracker_e2e"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, port: int, host: str = "127.0.0.1") -> dict:
    """Production settings: ENV=production makes cookies Secure, which Chromium accepts on
    http://127.0.0.1 and http://localhost because loopback addresses count as a secure
    context. SITE_URL is the address the browser uses (passkeys need a name, not an IP)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PYTHONUNBUFFERED="1",
        SITE_URL=f"http://{host}:{port}",
    )
    return env


def flask_command(env: dict, *args: str) -> str:
    """Run `flask <args>` against the served database, as an operator would; its output."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "httracker", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def migrate(env: dict) -> None:
    """Build the schema the way a deployment does: `flask db upgrade`."""
    flask_command(env, "db", "upgrade")


STARTUP_SECONDS = 60
# A worker's first request imports and connects; on a busy machine that takes seconds.
FIRST_REQUEST_SECONDS = 15


def wait_until_up(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Poll /healthz until the deadline; fail with the server log if it never answers.

    Any OSError (refused, reset, timed out; URLError is one too) means "not yet": retry."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        timeout = max(0.5, min(FIRST_REQUEST_SECONDS, deadline - time.monotonic()))
        try:
            url = f"{base_url}/healthz"
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not come up:\n{log_path.read_text()}")


class Server:
    """A running gunicorn serving the app; `stop()` ends it. The browser reaches it at
    http://`host`:port — "localhost" for WebAuthn, which refuses an IP address as the
    relying party; gunicorn listens on 127.0.0.1 either way."""

    def __init__(self, database_url: str, log_path: Path, host: str = "127.0.0.1"):
        recreate_database(database_url)
        self.port = free_port()
        self.base_url = f"http://{host}:{self.port}"
        env = server_environment(database_url, self.port, host)
        self.env = env
        migrate(env)
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(self.base_url, self.process, log_path)
        except BaseException:
            self.stop()
            raise

    def flask(self, *args: str) -> str:
        """Run a `flask` command against this server's database."""
        return flask_command(self.env, *args)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
