"""Load on loopback: wrk for throughput and latency, a sequential client for medians."""

import http.client
import http.cookies
import json
import os
import re
import shutil
import statistics
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

REPORT_SCRIPT = Path(__file__).resolve().parent / "wrk" / "report.lua"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    floor_rps: float = 0.0  # /healthz req/s measured around this run
    floor_spread: tuple[float, float] | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Browser:
    """A client holding whatever cookies the server sets, as a person's browser would.

    Cookies are kept by hand rather than by http.cookiejar: production marks them Secure (and
    may give them a __Host- prefix), which a cookie jar would never send over plain loopback
    HTTP. Redirects are not followed, so a 302 to the login page is seen as such."""

    def __init__(self, base_url: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.location: str | None = None  # where the last response redirected to

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            self.location = response.getheader("Location")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._remember(header)
            return response.status, content
        finally:
            connection.close()

    def _remember(self, header: str) -> None:
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def follow(self) -> None:
        """Open the page the last response redirected to, as a browser does after a form: it
        shows the message the form left in the session cookie, which ends it there."""
        if self.location:
            parts = urllib.parse.urlsplit(self.location)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            status, _ = self.get(path)
            if status != 200:
                raise RuntimeError(f"{path}, where a form led, answered {status}")

    def post(self, path: str, fields: dict) -> tuple[int, bytes]:
        return self.request("POST", path, fields)

    def csrf_token(self, path: str) -> str:
        status, page = self.get(path)
        match = CSRF_FIELD.search(page.decode())
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return match.group(1)

    def login(self, login: str, password: str) -> None:
        token = self.csrf_token("/auth/login")
        fields = {"login": login, "password": password, "csrf_token": token}
        status, _ = self.post("/auth/login", fields)
        if status != 302:
            raise RuntimeError(f"could not log in as {login} (status {status})")
        status, _ = self.get("/dashboard")
        if status != 200:
            raise RuntimeError(f"logged in as {login}, but /dashboard answered {status}")

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run `make bench` (it installs Debian's wrk)")
    return path


def run_wrk(
    label: str,
    url: str,
    cookie: str = "",
    seconds: int = 10,
    connections: int = 4,
    threads: int = 2,
    body: str | None = None,
) -> LoadResult:
    """One bounded wrk run against `url`."""
    environ = dict(os.environ, BENCH_COOKIE=cookie)
    if body is not None:
        environ.update(BENCH_METHOD="POST", BENCH_BODY=body)
    command = [
        ensure_wrk(),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(REPORT_SCRIPT),
        url,
    ]
    output = subprocess.run(  # noqa: S603 - wrk, found on PATH, with our arguments
        command, env=environ, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    errors = sum(data["errors"].values())
    latency = data["latency_us"]
    return LoadResult(
        label=label,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
    )


def interleaved_medians(requests, samples: int = 20, warmup: int = 3) -> list[float]:
    """Median times of several requests, one at a time, taken in turns (a neighbour's load
    slows all of them alike). Each request is (browser, path) for a GET or (browser, path,
    fields) for a POST, `fields` a callable giving the form of each attempt; after a POST the
    browser opens the page it leads to, untimed, as a person's browser does."""

    def send(browser, path, fields=None):
        if fields is None:
            return browser.get(path)[0]
        return browser.post(path, fields())[0]

    for _ in range(warmup):
        for request in requests:
            send(*request)
            if len(request) > 2:
                request[0].follow()
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(samples):
        for index, request in enumerate(requests):
            start = time.perf_counter()
            status = send(*request)
            times[index].append((time.perf_counter() - start) * 1000)
            wanted = 302 if len(request) > 2 else 200
            if status != wanted:
                raise RuntimeError(f"{request[1]} answered {status}")
            if len(request) > 2:
                request[0].follow()
    return [statistics.median(each) for each in times]
