"""Settings for HT-Tracker, read from the environment (and a `.env` file)."""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.engine import URL, make_url

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
ENVIRONMENTS = ("development", "production", "testing")
MIN_SECRET_KEY_LENGTH = 32
MIN_DISTINCT_KEY_CHARACTERS = 12
# Words that mark a key copied from an example rather than generated.
PLACEHOLDER_WORDS = ("change", "secret", "example", "default", "replace", "password", "insecure")
NEW_KEY_ADVICE = (
    "Set SECRET_KEY to the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
)

SITE_URL_ADVICE = "Set SITE_URL to the site's public address, such as https://habits.example.org."

load_dotenv(BASE_DIR / ".env")


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message is one line meant for an operator."""


def database_url(environ: Mapping[str, str]) -> str:
    """The SQLAlchemy URL: DATABASE_URL, else DB_* parts, else SQLite in instance/."""
    raw = environ.get("DATABASE_URL", "").strip()
    if raw:
        return normalise_database_url(raw)
    if environ.get("DB_HOST"):
        driver = environ.get("DB_DRIVER", "postgresql").strip().lower()
        if driver not in ("postgresql", "mysql"):
            raise ConfigError(f"DB_DRIVER must be 'postgresql' or 'mysql', not {driver!r}.")
        port = environ.get("DB_PORT")
        url = URL.create(
            "postgresql+psycopg" if driver == "postgresql" else "mysql+pymysql",
            username=environ.get("DB_USER") or None,
            password=environ.get("DB_PASSWORD") or None,
            host=environ["DB_HOST"],
            port=int(port) if port else None,
            database=environ.get("DB_NAME") or "httracker",
        )
        return normalise_database_url(url.render_as_string(hide_password=False))
    return f"sqlite:///{INSTANCE_DIR / 'httracker.sqlite'}"


def database_configured(environ: Mapping[str, str]) -> bool:
    """True when the environment names a database (DATABASE_URL or DB_HOST)."""
    return bool(environ.get("DATABASE_URL", "").strip() or environ.get("DB_HOST"))


def normalise_database_url(raw: str) -> str:
    """Map platform-style URLs onto our drivers: psycopg 3 and PyMySQL with utf8mb4."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    url = make_url(raw)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    elif url.drivername in ("mysql", "mariadb", "mariadb+pymysql"):
        url = url.set(drivername="mysql+pymysql")
    if url.get_backend_name() in ("mysql", "mariadb"):
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


def engine_options(url: str) -> dict:
    """Pool settings that suit each backend."""
    if not url:
        return {}  # no database: check_config explains
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return {}
    # Each statement reads a snapshot of its own, so a statement after a row lock sees rows
    # committed meanwhile (REPEATABLE READ would keep the transaction's first snapshot and break
    # the per-day total check). PostgreSQL's default, MariaDB's not: named for both, so an
    # operator's server default changes neither.
    options = {"pool_pre_ping": True, "isolation_level": "READ COMMITTED"}
    if backend in ("mysql", "mariadb"):
        # Below MariaDB's default wait_timeout (8 h) and any sane operator setting of it.
        options["pool_recycle"] = 280
    return options


def whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from the environment, else `default`."""
    raw = environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a positive whole number, not {raw!r}.")
    return int(raw)


def development_secret_key() -> str:
    """A random key made once per install and kept in instance/, so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


class Config:
    """Settings shared by every environment."""

    ENV = "development"
    DEBUG = False
    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    # Always SMTP (Flask-Mailman would pick an in-memory backend under TESTING).
    MAIL_BACKEND = "smtp"
    MAIL_TIMEOUT = 30
    # Argon2id, RFC 9106 "low memory" profile: above OWASP's minimum (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Device sessions: idle limits by kind, and an absolute limit for every session.
    SESSION_IDLE_TIMEOUT = timedelta(hours=12)
    REMEMBER_IDLE_TIMEOUT = timedelta(days=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(days=90)
    REMEMBER_COOKIE_DURATION = timedelta(days=90)
    # Per-account lockout, counted in the database so every worker and instance agrees.
    LOCKOUT_FAILURES = 10
    LOCKOUT_WINDOW = timedelta(minutes=15)
    # Device cookies (auth/devices.py): a browser that has logged in is counted on its own.
    DEVICE_LOCKOUT_FAILURES = 5
    DEVICE_COOKIE_NAME = "device"
    DEVICE_COOKIE_SECURE = False
    DEVICE_COOKIE_SAMESITE = "Strict"
    DEVICE_COOKIE_DURATION = timedelta(days=365)
    # Two-factor login: how long the second step may take.
    LOGIN_CHALLENGE_LIFETIME = timedelta(minutes=5)
    AUTH_RATE_LIMIT_ENABLED = True
    IMPORT_RATE_LIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in memory for a while rather than turn every login into an error page.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    HSTS = False
    # The API's OpenAPI document (flask-smorest), served at /api/v1/openapi.json.
    API_TITLE = "HT-Tracker API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "security": [{"bearerAuth": []}],
        "info": {
            "description": "Habits, logs, checks, skipped days, breaks and analytics of one "
            "account, with a personal access token. Errors are RFC 9457 problem documents."
        },
    }
    API_RATE_LIMIT_ENABLED = True

    def __init__(self, environ: Mapping[str, str] | None = None):
        environ = os.environ if environ is None else environ
        self.ALLOW_SQLITE = environ.get("ALLOW_SQLITE", "").lower() in ("1", "true", "yes")
        self.SQLALCHEMY_DATABASE_URI = (
            database_url(environ) if database_configured(environ) else self.default_database_url()
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.SECRET_KEY = environ.get("SECRET_KEY") or self.default_secret_key()
        self.TRUST_PROXY = environ.get("TRUST_PROXY", "").lower() in ("1", "true", "yes")
        # Per-IP limits on login and register: Redis shares them between workers and instances.
        self.RATELIMIT_STORAGE_URI = environ.get("RATELIMIT_STORAGE_URI") or "memory://"
        self.RATELIMIT_KEY_PREFIX = environ.get("RATELIMIT_KEY_PREFIX") or "httracker"
        self.AUTH_RATE_LIMIT = environ.get("AUTH_RATE_LIMIT") or "30/minute;300/hour"
        # Off for a load test, whose requests all come from one address.
        self.AUTH_RATE_LIMIT_ENABLED = environ.get(
            "AUTH_RATE_LIMIT_ENABLED", str(type(self).AUTH_RATE_LIMIT_ENABLED)
        ).lower() not in ("0", "false", "no")
        # Who may open an account: anybody, holders of an invitation code, or nobody.
        self.REGISTRATION = (environ.get("REGISTRATION") or "open").strip().lower()
        # The site's public address: the passkey relying party (its host) and origin, and the
        # base of every link in mail (never a request's Host header).
        self.SITE_URL = (environ.get("SITE_URL") or "").strip().rstrip("/")
        # Requests per API token (in the limiter's storage, shared by every worker).
        self.API_RATE_LIMIT = environ.get("API_RATE_LIMIT") or "120/minute"
        self.API_RATE_LIMIT_ENABLED = environ.get(
            "API_RATE_LIMIT_ENABLED", str(type(self).API_RATE_LIMIT_ENABLED)
        ).lower() not in ("0", "false", "no")
        # Imports: entries per file, and web imports per account (in the limiter's storage).
        self.IMPORT_MAX_ROWS = whole_number(environ, "IMPORT_MAX_ROWS", 200_000)
        self.IMPORT_RATE_LIMIT = environ.get("IMPORT_RATE_LIMIT") or "10/hour"
        self.IMPORT_RATE_LIMIT_ENABLED = environ.get(
            "IMPORT_RATE_LIMIT_ENABLED", str(type(self).IMPORT_RATE_LIMIT_ENABLED)
        ).lower() not in ("0", "false", "no")
        # Rendered pages each worker keeps (pagecache.py); 0 keeps none.
        self.PAGE_CACHE_BYTES = (
            0
            if environ.get("PAGE_CACHE_BYTES", "").strip() == "0"
            else whole_number(environ, "PAGE_CACHE_BYTES", 8 * 1024 * 1024)
        )
        self.read_mail_settings(environ)

    def read_mail_settings(self, environ: Mapping[str, str]) -> None:
        """Email: every feature that sends mail is off unless MAIL_SERVER is set."""
        self.MAIL_SERVER = environ.get("MAIL_SERVER", "").strip()
        self.MAIL_PORT = whole_number(environ, "MAIL_PORT", 25)
        self.MAIL_USERNAME = environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
        self.MAIL_USE_SSL = environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
        if self.MAIL_USE_TLS and self.MAIL_USE_SSL:
            raise ConfigError("Set MAIL_USE_TLS or MAIL_USE_SSL, not both.")
        self.MAIL_DEFAULT_SENDER = (
            environ.get("MAIL_DEFAULT_SENDER") or "HT-Tracker <noreply@localhost>"
        )
        # Per address: reset mails to one account an hour (per IP: AUTH_RATE_LIMIT).
        self.PASSWORD_RESET_PER_ADDRESS = whole_number(environ, "PASSWORD_RESET_PER_ADDRESS", 3)

    def default_secret_key(self) -> str:
        return development_secret_key()

    def default_database_url(self) -> str:
        return database_url({})


class DevelopmentConfig(Config):
    ENV = "development"


class TestingConfig(Config):
    ENV = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    # One test client makes hundreds of logins a minute; the limiter's own tests turn it on.
    AUTH_RATE_LIMIT_ENABLED = False
    IMPORT_RATE_LIMIT_ENABLED = False
    API_RATE_LIMIT_ENABLED = False
    # Cheap hashes keep the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8192
    ARGON2_PARALLELISM = 1

    def default_secret_key(self) -> str:
        return secrets.token_urlsafe(48)


class ProductionConfig(Config):
    ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # `__Host-`: the browser keeps these only from HTTPS, for this exact host and path /.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    DEVICE_COOKIE_NAME = "__Host-device"
    DEVICE_COOKIE_SECURE = True
    HSTS = True

    def default_secret_key(self) -> str:
        return ""

    def default_database_url(self) -> str:
        # Only when asked: on a platform's ephemeral disk every deploy would start empty.
        return database_url({}) if self.ALLOW_SQLITE else ""


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(environ: Mapping[str, str] | None = None, overrides: Mapping | None = None) -> dict:
    """The settings for the environment named by ENV, with `overrides` applied last."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    name = str(overrides.get("ENV") or environ.get("ENV") or "development").strip().lower()
    if name not in CONFIGS:
        raise ConfigError(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}.")
    config_object = CONFIGS[name](environ)
    settings = {key: getattr(config_object, key) for key in dir(config_object) if key.isupper()}
    settings.update(overrides)
    if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(settings["SQLALCHEMY_DATABASE_URI"])
    check_config(settings)
    return settings


@dataclass(frozen=True)
class ProductionProblem:
    """A setting production must not run with; `check` names the `flask check-deploy` line."""

    check: str
    message: str
    fix: str


def secret_key_problem(key: str) -> str | None:
    """Why a SECRET_KEY is unfit for production, or None."""
    if not key:
        return "SECRET_KEY is not set."
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY has {len(key)} characters; use at least {MIN_SECRET_KEY_LENGTH}."
    if len(set(key)) < MIN_DISTINCT_KEY_CHARACTERS:
        return "SECRET_KEY repeats a few characters; it is easy to guess."
    if any(word in key.lower() for word in PLACEHOLDER_WORDS):
        return "SECRET_KEY looks like a placeholder copied from an example."
    return None


def production_problems(settings: Mapping) -> list[ProductionProblem]:
    """What these settings must not serve production with; empty when nothing. The one list
    both start-up (which refuses to run in production) and `flask check-deploy` report."""
    problems = []
    key_problem = secret_key_problem(str(settings.get("SECRET_KEY") or ""))
    if key_problem:
        problems.append(ProductionProblem("secret key", key_problem, NEW_KEY_ADVICE))
    site_problem = site_url_problem(settings)
    if site_problem:
        problems.append(ProductionProblem("site url", *site_problem))
    return problems


def site_url_problem(settings: Mapping) -> tuple[str, str] | None:
    """Why SITE_URL cannot carry links in production mail (message, fix), or None."""
    if not settings.get("MAIL_SERVER"):
        return None
    url = str(settings.get("SITE_URL") or "")
    if not url:
        return "MAIL_SERVER is set but SITE_URL is not.", SITE_URL_ADVICE
    if not url.startswith("https://"):
        return f"SITE_URL is {url!r}; links in mail must use https.", SITE_URL_ADVICE
    return None


REGISTRATION_POLICIES = ("open", "invite", "closed")


def check_config(settings: Mapping) -> None:
    """Refuse settings no deployment should start with."""
    if settings.get("REGISTRATION", "open") not in REGISTRATION_POLICIES:
        raise ConfigError(
            f"REGISTRATION must be one of {', '.join(REGISTRATION_POLICIES)}, "
            f"not {settings.get('REGISTRATION')!r}."
        )
    if settings["ENV"] == "production":
        problems = production_problems(settings)
        if problems:
            raise ConfigError(
                f"refusing to start in production: {problems[0].message} {problems[0].fix}"
            )
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            raise ConfigError(
                "DATABASE_URL (or DB_HOST) must be set in production; set ALLOW_SQLITE=1 to keep "
                "the data in instance/httracker.sqlite instead, on a disk that survives deploys."
            )


def deployment_warnings(settings: Mapping, workers: int) -> list[str]:
    """Settings that work for one process but not for `workers` processes or instances."""
    warnings = []
    if workers > 1 and str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        warnings.append(
            "RATELIMIT_STORAGE_URI is memory://: each worker counts login attempts on its own; "
            "set it to a shared Redis (redis://host:6379/0)."
        )
    return warnings
