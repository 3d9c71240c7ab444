"""Security headers on every response, error pages included; production transport settings."""

import re
import secrets
from pathlib import Path

import pytest

from httracker import create_app
from httracker.extensions import db
from httracker.habits.days import add_break
from httracker.models import User
from httracker.security import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from httracker.timeutil import today_in

from .conftest import PASSWORD
from .test_isolation import add_preview

TEMPLATES = Path(__file__).resolve().parent.parent / "httracker" / "templates"
EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Older browsers read this one, newer ones CSP's frame-ancestors.
    "X-Frame-Options": "DENY",
    "Permissions-Policy": (
        "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
        "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), "
        "xr-spatial-tracking=()"
    ),
}


def assert_security_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name


@pytest.fixture
def production(database_url, app):
    production = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8192,
            "ARGON2_PARALLELISM": 1,
            "WTF_CSRF_ENABLED": False,
            "AUTH_RATE_LIMIT_ENABLED": False,
        }
    )
    yield production
    with production.app_context():
        db.engine.dispose()


def test_the_policy_is_the_documented_one():
    assert EXPECTED["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert EXPECTED["Permissions-Policy"] == PERMISSIONS_POLICY


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/auth/login", 200),
        ("get", "/", 302),
        ("get", "/no/such/page", 404),
        ("get", "/auth/logout", 405),
        ("post", "/auth/login", 400),
        ("get", "/healthz", 200),
    ],
)
def test_headers_on_pages_redirects_and_errors(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_headers_on_static_files(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert_security_headers(response)
        # Static files are the same for everyone: browsers may keep them.
        assert "no-store" not in response.headers.get("Cache-Control", "")


def own_get_urls(app, ids):
    """Every GET URL of the app but static files, with the logged-in user's own ids."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for name, value in ids.items():
            url = url.replace(f"<int:{name}>", str(value))
        url = url.replace("<token>", "not-a-token")  # mail links: a 404 without mail
        url = url.replace("<day>", today_in("UTC").isoformat())
        assert "<" not in url, f"no id to fill {rule.rule} with"
        yield url


def test_nothing_a_logged_in_user_sees_is_stored_by_the_browser(
    app, client, user, make_habit, make_log, make_token
):
    habit_id = make_habit(user.id, "Reading")
    log_id = make_log(user.id, habit_id, today_in("UTC"), 30, note="private")
    preview_id = add_preview(app, user.id, today_in("UTC"))
    with app.app_context():
        owner = db.session.get(User, user.id)
        day = today_in("UTC")
        break_id = add_break(owner, day, day, None, "private").id
        db.session.commit()
    ids = {"habit_id": habit_id, "log_id": log_id, "preview_id": preview_id, "break_id": break_id}
    urls = list(own_get_urls(app, ids))
    assert f"/settings/import/{preview_id}" in urls
    assert {"/settings/export.csv", "/settings/export.json", "/analytics/data.json"} <= set(urls)
    assert {"/api/v1/me", f"/api/v1/logs/{log_id}", "/api/v1/analytics"} <= set(urls)
    # The API answers a token, not the cookie.
    bearer = {"Authorization": f"Bearer {make_token(user.id, scope='read')}"}
    for url in [*urls, "/no/such/page", "/api/v1/no/such/thing"]:
        response = client.get(url, headers=bearer if url.startswith("/api/") else {})
        assert response.status_code in (200, 302, 404), url
        assert response.headers.get("Cache-Control") == "no-store", url
    posted = client.post("/habits/new", data={"name": "Piano", "target_period": "day"})
    assert posted.status_code == 302
    assert posted.headers.get("Cache-Control") == "no-store"
    logout = client.post("/auth/logout")
    assert logout.status_code == 302 and logout.headers.get("Cache-Control") == "no-store"


def test_headers_on_the_500_page(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("httracker.auth.views.render_template", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/auth/login")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert_security_headers(response)


def test_headers_on_the_413_page(client):
    response = client.post("/auth/login", data={"login": "x" * (7 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"Upload too large" in response.data
    assert_security_headers(response)


def test_production_adds_hsts_and_host_prefixed_secure_cookies(production, make_user):
    make_user("alice")
    client = production.test_client()
    page = client.get("/auth/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(page)
    response = client.post(
        "/auth/login", data={"login": "alice", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert names == {"__Host-session", "__Host-remember_token", "__Host-device"}
    for cookie in cookies:
        assert "; Secure" in cookie and "; Path=/" in cookie and "Domain=" not in cookie
        same_site = "Strict" if cookie.startswith("__Host-device=") else "Lax"
        assert "; HttpOnly" in cookie and f"SameSite={same_site}" in cookie
    missing = production.test_client().get("/nope")
    assert missing.status_code == 404 and "Strict-Transport-Security" in missing.headers


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_inline_script_or_style_in_templates(path):
    source = path.read_text()
    assert "<style" not in source
    assert not re.search(r"\sstyle\s*=", source)
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler"
    for tag in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in tag, tag
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", source), "loaded from another host"
