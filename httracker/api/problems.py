"""RFC 9457 problem details: every error under /api/v1 is `application/problem+json` with a
title, the status, a detail and, for invalid input, the fields at fault, never an HTML page."""

from http import HTTPStatus

from flask import current_app, json, request
from werkzeug.exceptions import HTTPException

from ..errors import TITLES

API_PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
API_TITLES = {
    **TITLES,
    401: "Unauthorized",
    415: "Unsupported media type",
    422: "Invalid input",
}
# Headers an HTTP error carries that the answer keeps (the scheme to use, the methods allowed,
# when to retry).
KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def is_api_request() -> bool:
    """Whether this request is for the API (whose errors are problem documents)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def title_of(status: int) -> str:
    if status in API_TITLES:
        return API_TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
):
    """A problem+json response; `extra` adds members of the problem's own (RFC 9457 §3.2)."""
    body = {"type": "about:blank", "title": title_of(status), "status": status}
    body["detail"] = detail or title_of(status)
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM, headers=headers or {}
    )
    return response


def flatten(messages, path: str = "") -> dict[str, list[str]]:
    """webargs' {"json": {"habits": {"0": ["…"]}}} as {"habits.0": ["…"]}: the location drops
    out, nested fields join with dots."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for name, inner in messages.items():
            name = str(name)
            if not path and name in ("json", "query", "headers", "path", "view_args"):
                flat.update(flatten(inner, ""))
            else:
                flat.update(flatten(inner, f"{path}.{name}" if path else name))
        return flat
    if isinstance(messages, list | tuple):
        if all(isinstance(item, str) for item in messages):
            return {path or "body": [str(item) for item in messages]}
        flat = {}
        for index, inner in enumerate(messages):
            flat.update(flatten(inner, f"{path}.{index}" if path else str(index)))
        return flat
    return {path or "body": [str(messages)]}


def from_http_error(error: HTTPException):
    """The problem for an HTTP error raised anywhere under /api/v1 (a 404, webargs' 422...)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = flatten(data["messages"]) if data.get("messages") else None
    detail = error.description
    if errors and status == 422:
        detail = "Some fields are invalid: " + ", ".join(sorted(errors)) + "."
    elif errors and status == 400:
        detail = next(iter(errors.values()))[0]
    if status == 401 and not detail:
        detail = "Send a valid token in the Authorization header."
    headers = {}
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            headers[name] = value
    if error.response is not None:
        for name in KEPT_HEADERS:
            if name in error.response.headers:
                headers[name] = error.response.headers[name]
    return problem(status, detail, errors=errors, headers=headers)
