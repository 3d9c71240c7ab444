"""Bearer authentication for /api/v1: cookies are ignored, a token is required, a read token
cannot write, and each token has its own rate limit."""

import re

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from ..auth.tokens import TokenUser, load_token_user
from ..models import ApiToken, User

BEARER = re.compile(r"Bearer +(\S+) *", re.IGNORECASE | re.ASCII)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = "HT-Tracker API"
NO_BEARER = "Send a personal access token: Authorization: Bearer htt_…"
DEAD_BEARER = "The token is unknown, revoked or expired."
READ_ONLY = "This token can only read; create a token with write access to make changes."


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    match = BEARER.fullmatch(request.headers.get("Authorization", ""))
    return match.group(1) if match else None


def authenticate() -> TokenUser | None:
    """The token and user of this request (looked up once per request)."""
    if "api_auth" not in g:
        secret = bearer_token()
        g.api_auth = load_token_user(secret) if secret else None
    return g.api_auth


def challenge(error: str | None = None) -> WWWAuthenticate:
    parameters = {"realm": REALM}
    if error:
        parameters["error"] = error
    return WWWAuthenticate("Bearer", parameters)


def require_token() -> None:
    """Before every API view: 401 without a live token, 403 for a write with a read token."""
    auth = authenticate()
    if auth is None:
        given = bearer_token() is not None
        raise Unauthorized(
            DEAD_BEARER if given else NO_BEARER,
            www_authenticate=challenge("invalid_token" if given else None),
        )
    if request.method not in SAFE_METHODS and not auth.token.can_write:
        raise Forbidden(READ_ONLY)


def current_token_user() -> User:
    """The user the request's token belongs to (require_token has run)."""
    return g.api_auth.user


def current_token() -> ApiToken:
    return g.api_auth.token


def limit_key() -> str:
    """Requests are counted per token; without a valid one, per address."""
    auth = authenticate()
    if auth is not None:
        return f"api:token:{auth.token.id}"
    return f"api:ip:{get_remote_address()}"


def limit_value() -> str:
    return current_app.config["API_RATE_LIMIT"]


def limit_exempt() -> bool:
    return not current_app.config["API_RATE_LIMIT_ENABLED"]
