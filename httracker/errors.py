"""Friendly error pages (problem documents under /api/v1); a 500 rolls the session back so
nothing half-done is kept."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .api import problems
from .extensions import db

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Upload too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Service unavailable",
}


SERVER_ERROR = "The error has been logged. Please try again in a moment."


def register(app: Flask) -> None:
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, description: str | None = None):
    title = TITLES.get(status, "Error")
    if wants_json():
        return {"error": title, "description": description}, status
    page = render_template("errors/error.html", status=status, title=title, description=description)
    return page, status


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if problems.is_api_request():
        return problems.from_http_error(error)
    return render_error(error.code, error.description)


def handle_server_error(error: InternalServerError):
    # Flask has already logged the traceback; the user sees only a friendly page.
    db.session.rollback()
    if problems.is_api_request():
        return problems.problem(500, SERVER_ERROR)
    return render_error(500, SERVER_ERROR)
