"""What every resource blueprint of /api/v1 shares: bearer authentication, the per-token rate
limit, no CSRF (a bearer request is not something a browser sends by itself), JSON bodies only,
and the error responses each operation documents."""

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from ..extensions import csrf, limiter
from .auth import limit_exempt, limit_key, limit_value, require_token
from .problems import API_PREFIX, PROBLEM
from .schemas import ProblemSchema
from .writes import KEY_DOC, replay_kept_response

JSON_ONLY = "Send the body as JSON (Content-Type: application/json)."
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
AUTH_HEADER = {
    "WWW-Authenticate": {"description": "The Bearer scheme", "schema": {"type": "string"}}
}


def require_json() -> None:
    """A write that sends a body must send JSON (415 otherwise)."""
    writes = request.method in ("POST", "PATCH", "PUT")
    sends_body = request.content_length or request.headers.get("Transfer-Encoding")
    if writes and sends_body and not request.is_json:
        raise UnsupportedMediaType(JSON_ONLY)


def resource(name: str, path: str, description: str) -> Blueprint:
    """A blueprint of the API at /api/v1/<path>, authenticated and limited."""
    blueprint = Blueprint(name, __name__, url_prefix=API_PREFIX + path, description=description)
    blueprint.before_request(require_token)
    blueprint.before_request(require_json)
    blueprint.before_request(replay_kept_response)
    csrf.exempt(blueprint)
    limiter.shared_limit(limit_value, scope="api", key_func=limit_key, exempt_when=limit_exempt)(
        blueprint
    )
    return blueprint


def errors(blueprint: Blueprint, *statuses: int, writes: bool = False):
    """Document the problem responses an operation can give (400, 401 and 429 always, plus
    `statuses`), and the Idempotency-Key header on writes (which may also get 403 and 415)."""
    every = {400, 401, 429, *statuses}
    if writes:
        every |= {403, 415}

    def decorate(view):
        for status in sorted(every, reverse=True):
            headers = RETRY_AFTER if status == 429 else AUTH_HEADER if status == 401 else None
            view = blueprint.alt_response(
                status, schema=ProblemSchema, headers=headers, content_type=PROBLEM
            )(view)
        if writes:
            view = blueprint.doc(parameters=[KEY_DOC])(view)
        return view

    return decorate
