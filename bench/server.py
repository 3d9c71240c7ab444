"""The server under test: gunicorn with the production config on PostgreSQL, on 127.0.0.1."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, workers: int) -> dict:
    environ = dict(os.environ)
    environ.update(
        ENV="production",
        SECRET_KEY=environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        WEB_CONCURRENCY=str(workers),
        # One client address makes every request; the benchmark measures the app, not the limiter.
        AUTH_RATE_LIMIT_ENABLED="false",
    )
    return environ


@contextmanager
def gunicorn(database_url: str, workers: int = 2, log_path: Path | None = None):
    """Run gunicorn until the block ends; yields (base_url, process)."""
    port = free_port()
    environ = server_environment(database_url, workers)
    environ.update(HOST="127.0.0.1", PORT=str(port))
    log = open(log_path or os.devnull, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy in time")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker, in MB."""
    sizes = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes
