"""HT-Tracker: a self-hosted, multi-user habit and time tracker."""

from collections.abc import Mapping

from flask import Flask

from config import ConfigError, load_config

from . import api, cli, database, errors, formatting, pagecache, pwa, security, session_cookie
from .analytics import bp as analytics_bp
from .auth import bp as auth_bp
from .extensions import csrf, db, limiter, login_manager, mail, migrate
from .habits import bp as habits_bp
from .health import bp as health_bp
from .mail import bp as mail_bp
from .paths import MIGRATIONS_DIR
from .settings import bp as settings_bp
from .timer import bp as timer_bp


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(__name__)
    try:
        app.config.from_mapping(load_config(overrides=config))
    except ConfigError as error:
        # One clear line for the operator instead of a traceback.
        raise SystemExit(f"httracker: {error}") from None
    register_extensions(app)
    register_blueprints(app)
    errors.register(app)
    security.register(app)
    session_cookie.register(app)
    formatting.register(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    database.register(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    pagecache.init_app(app)


def register_blueprints(app: Flask) -> None:
    for blueprint in (
        auth_bp,
        habits_bp,
        analytics_bp,
        settings_bp,
        timer_bp,
        mail_bp,
        health_bp,
        pwa.bp,
    ):
        app.register_blueprint(blueprint)
    api.register(app)
