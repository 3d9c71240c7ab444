"""Browser tests: Debian's Chromium, driven by Playwright, against gunicorn and PostgreSQL.

They run only when the command line names this folder (`make test-e2e`), never as part of a
plain `pytest` run of the whole suite.

A journey is a few lines with the `Visitor` helpers (forms are filled by their labels):

    def test_another_user_gets_404(open_visitor):
        alice = open_visitor()
        alice.register(unique_name())
        ...  # alice.fill({...}); alice.submit("Create habit"); habit_url = alice.path()
        bob = open_visitor(viewport="phone")
        bob.register(unique_name())
        bob.goto(habit_url, status=404)

Every page visited through `goto`/`submit`/`follow` is checked for console errors and
requests to other hosts; `check_page` in test_pages.py adds layout, label and contrast checks.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.engine import make_url

from .browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCHEMES, VIEWPORTS, Visitor, unique_name
from .server import DEFAULT_DATABASE_URL, Server

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    """Collect these tests only when asked for by path: they need a browser and a server."""
    asked = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    if any(path == HERE or HERE in path.parents for path in asked):
        return None
    return True


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """gunicorn serving the app over its own freshly migrated PostgreSQL database."""
    database_url = os.environ.get("E2E_DATABASE_URL") or DEFAULT_DATABASE_URL
    running = Server(database_url, tmp_path_factory.mktemp("e2e") / "gunicorn.log")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def localhost_server(tmp_path_factory):
    """Another gunicorn, reached at http://localhost:<port> (passkeys), with its own database."""
    url = make_url(os.environ.get("E2E_DATABASE_URL") or DEFAULT_DATABASE_URL)
    database_url = url.set(database=f"{url.database}_localhost").render_as_string(False)
    log = tmp_path_factory.mktemp("e2e-localhost") / "gunicorn.log"
    running = Server(database_url, log, host="localhost")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; a missing binary is an error, never a skip."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} missing: run `make e2e-browser`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_visitor(browser, server):
    """Open a fresh browser tab: `open_visitor(viewport="phone", scheme="dark", state=...)`;
    `javascript=False` proves a journey works without scripts.

    Each tab has its own cookies; at the end of the test every tab must be free of console
    errors and requests to other hosts."""
    visitors = []

    def open_one(viewport="desktop", scheme="light", state=None, javascript=True):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            color_scheme=scheme,
            storage_state=state,
            java_script_enabled=javascript,
        )
        visitor = Visitor(context, server.base_url, viewport, scheme)
        visitors.append(visitor)
        return visitor

    yield open_one
    for visitor in visitors:
        problems = visitor.watch.take()
        visitor.context.close()
        assert not problems, "\n".join(problems)


@pytest.fixture
def visitor(open_visitor):
    """A desktop tab in the light scheme, not logged in."""
    return open_visitor()


@pytest.fixture(scope="session")
def member(browser, server):
    """A registered user shared by read-only page checks: (username, saved cookies)."""
    username = unique_name("member")
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    visitor = Visitor(context, server.base_url, "desktop", "light")
    visitor.register(username, PASSWORD)
    state = context.storage_state()
    context.close()
    return username, state


@pytest.fixture(scope="session")
def demo_member(browser, server):
    """A user with a year of realistic logs from `flask demo`: (username, saved cookies)."""
    username = unique_name("demo")
    server.flask("demo", "--username", username, "--password", PASSWORD)
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    visitor = Visitor(context, server.base_url, "desktop", "light")
    visitor.login(username, PASSWORD)
    state = context.storage_state()
    context.close()
    return username, state


@pytest.fixture(params=[(v, s) for v in ("desktop", "phone") for s in SCHEMES], ids="-".join)
def look(request, open_visitor, member):
    """A logged-in tab for each viewport and colour scheme."""
    viewport, scheme = request.param
    return open_visitor(viewport=viewport, scheme=scheme, state=member[1])
