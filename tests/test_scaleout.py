"""Two app instances (gunicorn processes on two ports) over one database and one Redis:
sessions, revocations, per-IP limits and account lockouts are shared between them."""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import make_url

from .conftest import PASSWORD

PROJECT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_up() -> bool:
    url = make_url(REDIS_URL.replace("redis://", "redis+x://", 1))
    try:
        with socket.create_connection((url.host, url.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Instance:
    """One gunicorn process serving the app in production mode on 127.0.0.1:port."""

    def __init__(self, environ: dict, log_path: Path):
        self.port = free_port()
        self.log = log_path.open("wb")
        env = {**environ, "HOST": "127.0.0.1", "PORT": str(self.port)}
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
        self.process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read().decode()
        finally:
            connection.close()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"instance exited early; see {self.log.name}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"instance did not start in {START_TIMEOUT}s; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


class Browser:
    """A cookie jar that, unlike a real browser, sends `__Host-`/Secure cookies over plain
    HTTP: the instances run in production mode without TLS in front of them."""

    def __init__(self, address="10.0.0.1"):
        self.cookies = {}
        self.address = address

    def request(self, instance, method, path, form=None, address=None):
        headers = {"X-Forwarded-For": address or self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, text = instance.request(method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(morsel.key, None)
                    else:
                        self.cookies[morsel.key] = morsel.value
        location = {k.lower(): v for k, v in response_headers}.get("location")
        return status, location, text

    def csrf_token(self, instance, path) -> str:
        status, _, page = self.request(instance, "GET", path)
        assert status == 200, (path, status)
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
        return re.search(r'value="([^"]+)"', tag).group(1)

    def post_form(self, instance, path, form, page, address=None):
        form = {**form, "csrf_token": self.csrf_token(instance, page)}
        return self.request(instance, "POST", path, form, address)

    def login(self, instance, password=PASSWORD, address=None):
        form = {"login": "alice", "password": password}
        return self.post_form(instance, "/auth/login", form, "/auth/login", address)

    def dashboard(self, instance) -> int:
        return self.request(instance, "GET", "/dashboard")[0]


@pytest.fixture(scope="module")
def instances(database_url, app, tmp_path_factory):
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("two instances share a database server (PostgreSQL or MariaDB)")
    if not redis_is_up():
        pytest.fail(f"Redis is not answering at {REDIS_URL} (.ci/run starts it)")
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "PYTEST_")) and key not in ("SECRET_KEY", "DATABASE_URL")
    }
    environ.update(
        ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=f"httracker-test-{uuid.uuid4().hex}",
        AUTH_RATE_LIMIT="5/minute",
        TRUST_PROXY="1",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    logs = tmp_path_factory.mktemp("instances")
    started = []
    try:
        for name in ("a", "b"):
            started.append(Instance(environ, logs / f"{name}.log"))
        for instance in started:
            instance.wait_until_up()
        yield started
    finally:
        for instance in started:
            instance.stop()


def test_a_session_made_on_one_instance_works_on_the_other(instances, make_user):
    a, b = instances
    make_user("alice")
    browser = Browser()
    status, location, _ = browser.login(a)
    assert (status, location) == (302, "/dashboard")
    assert set(browser.cookies) == {"__Host-session", "__Host-device"}
    assert browser.dashboard(b) == 200


def test_a_revocation_on_one_instance_is_seen_by_the_other(instances, make_user):
    a, b = instances
    make_user("alice")
    laptop, phone = Browser("10.0.0.2"), Browser("10.0.0.3")
    assert laptop.login(a)[0] == 302 and phone.login(b)[0] == 302
    assert laptop.dashboard(b) == 200
    status, _, _ = phone.post_form(b, "/settings/sessions/revoke-others", {}, "/settings/sessions")
    assert status == 302
    assert laptop.dashboard(a) == 302
    assert phone.dashboard(a) == 200
    # Logout on one instance: the cookie replayed on the other lands on the login page.
    stolen = dict(phone.cookies)
    phone.post_form(a, "/auth/logout", {}, "/dashboard")
    thief = Browser("10.0.0.4")
    thief.cookies = stolen
    assert thief.dashboard(b) == 302


def test_the_per_ip_limit_is_shared(instances):
    a, b = instances
    browser = Browser("10.0.1.1")
    answers = [browser.login(instance, "wrong password")[0] for instance in (a, b, a, b, a)]
    assert answers == [400] * 5
    assert browser.login(b, "wrong password")[0] == 429
    assert browser.login(a, "wrong password")[0] == 429
    # Another address still gets through.
    assert browser.login(a, "wrong password", address="10.0.1.2")[0] == 400


def test_the_account_lockout_holds_across_instances(instances, make_user):
    a, b = instances
    make_user("alice")
    # The owner's browser has logged in before (on instance a): it holds a device cookie.
    known = Browser("10.0.4.1")
    assert known.login(a)[0] == 302
    assert (
        known.request(a, "POST", "/auth/logout", {"csrf_token": known.csrf_token(a, "/dashboard")})[
            0
        ]
        == 302
    )
    attacker = Browser()
    for attempt in range(10):
        # A different address each time: the per-IP limit alone would not stop this.
        instance = (a, b)[attempt % 2]
        status, _, _ = attacker.login(instance, "wrong password", address=f"10.0.2.{attempt}")
        assert status == 400
    owner = Browser("10.0.3.1")
    status, _, page = owner.login(b)
    assert status == 429 and "Too many attempts" in page
    assert owner.login(a)[0] == 429
    assert owner.dashboard(a) == 302
    # The known browser is not locked out, on either instance.
    assert known.login(b)[0] == 302 and known.dashboard(a) == 200
