"""A deployment checklist: each check reports what is wrong and how to fix it."""

import ipaddress
import os
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config import BASE_DIR, production_problems, site_url_problem

from .extensions import db
from .transfer import database_revisions, head_revisions


@dataclass
class CheckResult:
    name: str
    ok: bool
    message: str
    fix: str = ""
    # Passes, but with a limit the operator should know about.
    warning: bool = False


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
        if app.config.get("ALLOW_SQLITE"):
            return CheckResult(
                "database",
                True,
                "SQLite is in use in production, as ALLOW_SQLITE asks: right for one machine "
                "whose disk survives deploys; it runs one write at a time and no second "
                "instance can share it.",
                "For more instances, move to PostgreSQL; `flask transfer` copies the data.",
                warning=True,
            )
        return CheckResult(
            "database",
            False,
            "SQLite is in use in production; it serialises every write.",
            "Set DATABASE_URL to PostgreSQL or MySQL/MariaDB; `flask transfer` copies the data. "
            "(ALLOW_SQLITE=1 accepts SQLite on one machine with a persistent disk.)",
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
            "DEVICE_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "REMEMBER_COOKIE_HTTPONLY",
        )
        if not config.get(name)
    ]
    problems += [
        f"{name} is {config.get(name)!r}"
        for name in (
            "SESSION_COOKIE_SAMESITE",
            "REMEMBER_COOKIE_SAMESITE",
            "DEVICE_COOKIE_SAMESITE",
        )
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


def gunicorn_workers() -> tuple[int, str]:
    """The worker processes gunicorn.conf.py starts, and where that number comes from."""
    workers = int(runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"])
    raw = os.environ.get("WEB_CONCURRENCY")
    return workers, (f"WEB_CONCURRENCY={raw}" if raw else "gunicorn.conf.py's default")


def check_rate_limit_storage(app: Flask) -> CheckResult:
    """Per-IP login limits kept in memory are right for one worker; several need shared ones."""
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if not storage.startswith("memory://"):
        return CheckResult(
            "rate limits", True, f"Login limits are counted in {storage.split(':')[0]}."
        )
    try:
        workers, source = gunicorn_workers()
    except ValueError:
        return CheckResult(
            "rate limits",
            False,
            f"WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY')!r} is not a number.",
            "Set WEB_CONCURRENCY to the number of gunicorn worker processes.",
        )
    if workers > 1:
        return CheckResult(
            "rate limits",
            False,
            f"gunicorn runs {workers} workers ({source}) and RATELIMIT_STORAGE_URI is "
            f"memory://: each worker counts login attempts on its own, so a client gets "
            f"{workers} times the AUTH_RATE_LIMIT.",
            "Set RATELIMIT_STORAGE_URI=redis://HOST:6379/0, shared by every worker and instance; "
            "or WEB_CONCURRENCY=1 for one worker.",
        )
    return CheckResult(
        "rate limits",
        True,
        "Login limits are counted in memory by one gunicorn worker: right for a single host, "
        "but a restart forgets them and a second worker or instance would not share them.",
        "Before adding workers or instances, set RATELIMIT_STORAGE_URI=redis://HOST:6379/0.",
        warning=True,
    )


def check_mail(app: Flask) -> CheckResult:
    """Mail: off (and every email feature hidden), or a server and a SITE_URL for its links."""
    config = app.config
    if not config.get("MAIL_SERVER"):
        return CheckResult(
            "mail",
            True,
            "MAIL_SERVER is not set: no password reset by email, address confirmation, "
            "reminders or weekly summaries; an operator resets passwords with `flask users`.",
        )
    problem = site_url_problem(config)
    if problem:
        return CheckResult("mail", False, *problem)
    security = (
        "SSL" if config.get("MAIL_USE_SSL") else "STARTTLS" if config.get("MAIL_USE_TLS") else ""
    )
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    message = (
        f"Mail goes through {where}{' with ' + security if security else ''} from "
        f"{config.get('MAIL_DEFAULT_SENDER')}; links point at {config['SITE_URL']}."
    )
    schedule = (
        "Run `flask mail deliver` (or a worker with `flask mail deliver --loop`) and "
        "`flask reminders send` every few minutes: requests only queue mail."
    )
    if not security and config["MAIL_SERVER"] not in ("localhost", "127.0.0.1", "::1"):
        return CheckResult(
            "mail",
            True,
            message + " The connection is not encrypted.",
            "Set MAIL_USE_TLS=1 (or MAIL_USE_SSL=1) for a server on another host. " + schedule,
            warning=True,
        )
    return CheckResult("mail", True, message, schedule)


def check_registration(app: Flask) -> CheckResult:
    """Who may open an account: anybody on the internet is rarely what a server wants."""
    policy = app.config.get("REGISTRATION", "open")
    if policy == "open" and app.config.get("ENV") == "production":
        return CheckResult(
            "registration",
            True,
            "REGISTRATION is open: anybody who can reach the site can open an account.",
            "Set REGISTRATION=invite (codes from `flask invites create`) or REGISTRATION=closed "
            "(accounts from `flask users create`) unless the site is meant to be public.",
            warning=True,
        )
    return CheckResult("registration", True, f"REGISTRATION is {policy}.")


def relying_party_problem(site: str) -> str | None:
    """Why SITE_URL cannot be a passkey relying party in production, or None."""
    if not site:
        return "SITE_URL is not set, so passkeys have no relying party."
    parts = urlsplit(site)
    if parts.scheme != "https" or not parts.hostname:
        return f"SITE_URL {site!r} is not an https:// address."
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"SITE_URL {site!r} has a path; passkeys need the site at the root of its host."
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    return f"SITE_URL {site!r} names an IP address; WebAuthn needs a domain name."


def check_site_url(app: Flask) -> CheckResult:
    """SITE_URL gives passkeys their relying-party id (its host) and origin."""
    site = app.config.get("SITE_URL", "")
    if app.config.get("ENV") != "production":
        return CheckResult("site url", True, f"SITE_URL is {site or 'unset (each request)'}.")
    problem = relying_party_problem(site)
    if problem:
        return CheckResult(
            "site url",
            False,
            problem,
            "Set SITE_URL to the address people use, e.g. https://habits.example.com.",
        )
    host = urlsplit(site).hostname
    return CheckResult("site url", True, f"Passkeys belong to {host} (origin {site}).")


# Checks run in this order; add new ones here.
CHECKS: list[Callable[[Flask], CheckResult]] = [
    check_environment,
    check_secret_key,
    check_database,
    check_cookies,
    check_debug,
    check_rate_limit_storage,
    check_mail,
    check_registration,
    check_site_url,
    check_migrations,
]


def run_checks(app: Flask) -> list[CheckResult]:
    """Every check's result, in order."""
    return [check(app) for check in CHECKS]
