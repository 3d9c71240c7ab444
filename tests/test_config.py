"""Configuration from the environment, and refusing to run unsafely."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import ConfigError, database_url, engine_options, load_config
from httracker import create_app

from .conftest import PASSWORD

PROJECT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(48)
REFUSED_WITHOUT_KEY = "httracker: refusing to start in production: SECRET_KEY is not set."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("mysql://u:p@db/app", "mysql+pymysql://u:p@db/app?charset=utf8mb4"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_is_mapped_to_our_drivers(url, expected):
    assert database_url({"DATABASE_URL": url}) == expected


def test_database_url_from_parts():
    environ = {
        "DB_HOST": "db",
        "DB_PORT": "6543",
        "DB_USER": "me",
        "DB_PASSWORD": "p@ss",
        "DB_NAME": "ht",
    }
    assert database_url(environ) == "postgresql+psycopg://me:p%40ss@db:6543/ht"
    environ["DB_DRIVER"] = "mysql"
    assert database_url(environ) == "mysql+pymysql://me:p%40ss@db:6543/ht?charset=utf8mb4"
    with pytest.raises(ConfigError):
        database_url({**environ, "DB_DRIVER": "oracle"})


def test_embedded_sqlite_is_the_default():
    assert database_url({}) == f"sqlite:///{config.INSTANCE_DIR / 'httracker.sqlite'}"


def test_engine_options_suit_each_backend():
    assert engine_options("sqlite:///x.sqlite") == {}
    assert engine_options("postgresql+psycopg://db/app") == {
        "pool_pre_ping": True,
        "isolation_level": "READ COMMITTED",
    }
    mysql = engine_options("mysql+pymysql://db/app")
    assert mysql["pool_pre_ping"] and 0 < mysql["pool_recycle"] < 28800


def test_development_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    first = load_config({})["SECRET_KEY"]
    second = load_config({})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "SECRET_KEY is not set."),
        ("", "SECRET_KEY is not set."),
        ("too-short", "SECRET_KEY has 9 characters; use at least 32."),
        ("k" * 40, "SECRET_KEY repeats a few characters"),
        ("please-change-this-secret-key-0123456789", "placeholder copied from an example"),
    ],
)
def test_production_refuses_to_start_without_a_strong_key(key, problem):
    environ = {"ENV": "production"} if key is None else {"ENV": "production", "SECRET_KEY": key}
    with pytest.raises(ConfigError, match="refusing to start in production") as refused:
        load_config(environ)
    assert problem in str(refused.value)


def test_production_refuses_to_start_without_a_database():
    with pytest.raises(ConfigError, match=r"^DATABASE_URL \(or DB_HOST\) must be set"):
        load_config({"ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOW_SQLITE": "no"})
    # Development keeps its embedded default.
    assert load_config({"ENV": "development", "SECRET_KEY": STRONG_KEY})[
        "SQLALCHEMY_DATABASE_URI"
    ] == database_url({})


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ({"ALLOW_SQLITE": "1"}, f"sqlite:///{config.INSTANCE_DIR / 'httracker.sqlite'}"),
        ({"DATABASE_URL": "postgres://u@db/app"}, "postgresql+psycopg://u@db/app"),
        ({"DB_HOST": "db", "ALLOW_SQLITE": "1"}, "postgresql+psycopg://db/httracker"),
    ],
)
def test_production_uses_the_database_it_is_given(database, expected):
    settings = load_config({"ENV": "production", "SECRET_KEY": STRONG_KEY, **database})
    assert settings["SQLALCHEMY_DATABASE_URI"] == expected


def test_gunicorn_refuses_to_start_in_production_without_a_database():
    environ = _env_without_key(SECRET_KEY=STRONG_KEY)
    for name in ("DB_HOST", "ALLOW_SQLITE"):
        environ.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--check-config", "wsgi:app"],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("httracker: DATABASE_URL (or DB_HOST) must be set in production")
    assert "ALLOW_SQLITE=1" in last
    assert "Traceback" not in result.stderr


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="ENV must be one of"):
        load_config({"ENV": "staging"})


def test_create_app_exits_with_one_line_in_production_without_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        create_app({"ENV": "production"})
    message = str(exit_info.value.code)
    assert "\n" not in message
    assert message.startswith(REFUSED_WITHOUT_KEY)
    assert "secrets.token_urlsafe" in message


def _env_without_key(**extra):
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    environ.update(ENV="production", **extra)
    return environ


def test_flask_command_refuses_to_start_in_production_without_key():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "httracker", "routes"],
        cwd=PROJECT,
        env=_env_without_key(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]] and lines[0].startswith(REFUSED_WITHOUT_KEY)


def test_gunicorn_refuses_to_start_in_production_without_key():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--check-config", "wsgi:app"],
        cwd=PROJECT,
        env=_env_without_key(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith(REFUSED_WITHOUT_KEY)
    assert "Traceback" not in result.stderr


def test_cookie_settings_by_environment():
    production = load_config({"ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOW_SQLITE": "1"})
    development = load_config({"ENV": "development", "SECRET_KEY": STRONG_KEY})
    for settings, secure in ((production, True), (development, False)):
        assert settings["SESSION_COOKIE_HTTPONLY"] and settings["REMEMBER_COOKIE_HTTPONLY"]
        assert settings["SESSION_COOKIE_SAMESITE"] == settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"
        assert settings["SESSION_COOKIE_SECURE"] is secure
        assert settings["REMEMBER_COOKIE_SECURE"] is secure


def test_production_cookies_carry_their_flags(database_url, app, make_user):
    make_user("alice")
    production = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": STRONG_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8192,
            "ARGON2_PARALLELISM": 1,
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = production.test_client()
    response = client.post(
        "/auth/login", data={"login": "alice", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) >= 3
    for cookie in cookies:
        assert "; Secure" in cookie and "; HttpOnly" in cookie and cookie.startswith("__Host-")
        assert ("SameSite=Strict" if cookie.startswith("__Host-device=") else "SameSite=Lax") in (
            cookie
        )
    assert any(cookie.startswith("__Host-device=") and "Path=/" in cookie for cookie in cookies)
    with production.app_context():
        from httracker.extensions import db

        db.engine.dispose()


@pytest.mark.parametrize(
    ("env", "value", "enabled"),
    [
        ("production", None, True),
        ("production", "false", False),
        ("production", "0", False),
        ("testing", None, False),
        ("testing", "true", True),
    ],
)
def test_rate_limits_are_switched_from_the_environment(env, value, enabled):
    environ = {"SECRET_KEY": STRONG_KEY, "DATABASE_URL": "postgresql://db/app"}
    if value is not None:
        environ["AUTH_RATE_LIMIT_ENABLED"] = value
    assert load_config(environ, {"ENV": env})["AUTH_RATE_LIMIT_ENABLED"] is enabled
