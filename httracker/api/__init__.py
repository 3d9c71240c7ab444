"""The REST API at /api/v1: personal access tokens, JSON in and out, problem documents for
errors, and an OpenAPI document generated from the views."""

from flask import Flask

from . import days, habits, logs, overview, timer
from .docs import bp as docs_bp
from .openapi import SECURITY_SCHEME, api

RESOURCES = (
    overview.me,
    habits.blp,
    logs.blp,
    days.entries,
    days.breaks,
    timer.blp,
    overview.analytics,
)

api.register_converter(days.DayConverter, lambda converter: dict(days.DAY_SCHEMA))


def register(app: Flask) -> None:
    """Attach the API, its OpenAPI document and its docs page to the app."""
    app.url_map.converters["isodate"] = days.DayConverter
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
