"""A deployment checklist: each check reports what is wrong and how to fix it."""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config import deployment_warnings, production_problems

from .extensions import db
from .transfer import database_revisions, head_revisions


@dataclass
class CheckResult:
    name: str
    ok: bool
    message: str
    fix: str = ""


def check_environment(app: Flask) -> CheckResult:
    """ENV must be production."""
    env = app.config.get("ENV")
    if env == "production":
        return CheckResult("environment", True, "ENV is production.")
    return CheckResult(
        "environment",
        False,
        f"ENV is {env!r}; development defaults are in use.",
        "Set ENV=production in the environment of the app.",
    )


def check_secret_key(app: Flask) -> CheckResult:
    """SECRET_KEY must be long and random: the rule start-up enforces in production, so this
    fails only for an app started in another environment."""
    for problem in production_problems(app.config):
        if problem.check == "secret key":
            return CheckResult(problem.check, False, problem.message, problem.fix)
    return CheckResult("secret key", True, "SECRET_KEY is long and random-looking.")


def check_database(app: Flask) -> CheckResult:
    """Production needs a database server, not SQLite."""
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend == "sqlite" and app.config.get("ENV") == "production":
        return CheckResult(
            "database",
            False,
            "SQLite is in use in production; it serialises every write.",
            "Set DATABASE_URL to PostgreSQL or MySQL/MariaDB; `flask transfer` copies the data.",
        )
    return CheckResult("database", True, f"The database is {backend}.")


def check_cookies(app: Flask) -> CheckResult:
    """Session and remember cookies must be Secure, HttpOnly and SameSite."""
    config: Mapping = app.config
    problems = [
        f"{name} is off"
        for name in (
            "SESSION_COOKIE_SECURE",
            "REMEMBER_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "REMEMBER_COOKIE_HTTPONLY",
        )
        if not config.get(name)
    ]
    problems += [
        f"{name} is {config.get(name)!r}"
        for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE")
        if config.get(name) not in ("Lax", "Strict")
    ]
    if not problems:
        return CheckResult("cookies", True, "Cookies are Secure, HttpOnly and SameSite.")
    return CheckResult(
        "cookies",
        False,
        "Insecure cookie settings: " + "; ".join(problems) + ".",
        "Run with ENV=production (which sets them) behind HTTPS; do not override them.",
    )


def check_debug(app: Flask) -> CheckResult:
    """Debug mode must be off."""
    if app.debug:
        return CheckResult(
            "debug",
            False,
            "Debug mode is on: the debugger can run code sent by a browser.",
            "Unset FLASK_DEBUG and do not pass --debug; serve with gunicorn.",
        )
    return CheckResult("debug", True, "Debug mode is off.")


def check_migrations(app: Flask) -> CheckResult:
    """The database must be reachable and at the latest migration."""
    heads = head_revisions()
    try:
        with app.app_context():
            current = database_revisions(db.engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return CheckResult(
            "migrations", False, f"The database cannot be reached: {reason}", "Check DATABASE_URL."
        )
    if current == heads:
        return CheckResult("migrations", True, "The database is at the latest revision.")
    found = ", ".join(sorted(current)) or "no revision"
    return CheckResult(
        "migrations",
        False,
        f"The database is at {found}, not {', '.join(sorted(heads))}: migrations are pending.",
        "Run `flask db upgrade` before starting the new version.",
    )


def check_rate_limit_storage(app: Flask) -> CheckResult:
    """Per-IP login limits must be shared when more than one worker process serves requests."""
    workers = int(os.environ.get("WEB_CONCURRENCY", "2") or 2)
    warnings = deployment_warnings(app.config, workers)
    if warnings:
        return CheckResult(
            "rate limits",
            False,
            f"{warnings[0]} ({workers} workers from WEB_CONCURRENCY)",
            "Set RATELIMIT_STORAGE_URI=redis://HOST:6379/0, shared by every worker and instance.",
        )
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    return CheckResult("rate limits", True, f"Login limits are counted in {storage.split(':')[0]}.")


# Checks run in this order; add new ones here.
CHECKS: list[Callable[[Flask], CheckResult]] = [
    check_environment,
    check_secret_key,
    check_database,
    check_cookies,
    check_debug,
    check_rate_limit_storage,
    check_migrations,
]


def run_checks(app: Flask) -> list[CheckResult]:
    """Every check's result, in order."""
    return [check(app) for check in CHECKS]
