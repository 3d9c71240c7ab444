"""Writes through the API: one service call committed once, its RuleBroken answered as a 422
naming the field, and `Idempotency-Key` replays (the response kept 24 hours per token)."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, json, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest

from ..changes import RuleBroken, commit_change
from ..extensions import db
from ..models import IDEMPOTENCY_KEY_MAX, ApiIdempotencyKey, utcnow
from .auth import current_token
from .problems import problem

KEY_LIFETIME = timedelta(hours=24)
KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PROBLEM = f"{KEY_HEADER} must be 1–{IDEMPOTENCY_KEY_MAX} visible ASCII characters."
KEY_REUSED = f"This {KEY_HEADER} was used for a different request in the last 24 hours."
KEY_DOC = {
    "in": "header",
    "name": KEY_HEADER,
    "required": False,
    "description": "Any unique string; a retry with the same key within 24 hours gets the "
    "first response again instead of repeating the write.",
    "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
}

Answer = tuple[Any, int, dict]


class KeyTaken(Exception):
    """Another request with the same key committed first."""


def json_response(body: Any, status: int = 200, headers: dict | None = None):
    """A JSON response (an empty one for 204)."""
    text = "" if status == 204 else json.dumps(body)
    mimetype = None if status == 204 else "application/json"
    return current_app.response_class(text, status=status, mimetype=mimetype, headers=headers)


def idempotency_key() -> str | None:
    """The request's Idempotency-Key, None without one; 400 when malformed."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not all(33 <= ord(c) <= 126 for c in key):
        raise BadRequest(KEY_PROBLEM)
    return key


def fingerprint() -> str:
    """What makes two requests the same: method, path and body."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def stored(key: str) -> ApiIdempotencyKey | None:
    """The live response kept for this token and key."""
    return db.session.scalar(
        select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == current_token().id,
            ApiIdempotencyKey.key == key,
            ApiIdempotencyKey.created_at > utcnow() - KEY_LIFETIME,
        )
    )


def replay(row: ApiIdempotencyKey):
    """The kept response again, or a 422 when the key came with another request."""
    if row.fingerprint != fingerprint():
        return problem(422, KEY_REUSED, errors={KEY_HEADER: [KEY_REUSED]})
    headers = {REPLAYED_HEADER: "true"}
    if row.location:
        headers["Location"] = row.location
    response = current_app.response_class(
        row.body, status=row.status, mimetype=None if row.status == 204 else "application/json"
    )
    response.headers.update(headers)
    return response


def remember(key: str, answer: Answer) -> None:
    """Keep the answer under the key in the write's own transaction; KeyTaken when a request
    with the same key got there first."""
    token = current_token()
    db.session.execute(
        delete(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == token.id,
            ApiIdempotencyKey.created_at <= utcnow() - KEY_LIFETIME,
        )
    )
    body, status, headers = answer
    row = ApiIdempotencyKey(
        user_id=token.user_id,
        token_id=token.id,
        key=key,
        fingerprint=fingerprint(),
        status=status,
        body="" if status == 204 else json.dumps(body),
        location=headers.get("Location"),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise KeyTaken from None


def replay_kept_response():
    """Before a write's view: the response kept for its Idempotency-Key, if there is one (so a
    retried delete answers 204 again, not 404)."""
    if request.method in ("POST", "PATCH", "PUT", "DELETE"):
        key = idempotency_key()
        if key is not None:
            kept = stored(key)
            if kept is not None:
                return replay(kept)
    return None


def rule_problem(error: RuleBroken, explain: Callable[[RuleBroken], dict] | None = None):
    extra = explain(error) if explain else None
    return problem(422, error.message, errors={error.field: [error.message]}, extra=extra)


def write(
    change: Callable[[], Any],
    answer: Callable[[Any], Answer],
    explain: Callable[[RuleBroken], dict] | None = None,
):
    """Run a service call and commit it once, with the response `answer` makes of its result;
    a RuleBroken becomes a 422 naming its field. With an Idempotency-Key the response is kept
    with the write, so a retry within 24 hours gets it again (replay_kept_response) and the
    write happens once, even when two retries race. `explain` adds members to the problem."""
    key = idempotency_key()

    def run() -> Answer:
        result = answer(change())
        if key is not None:
            remember(key, result)
        return result

    try:
        body, status, headers = commit_change(run)
    except RuleBroken as error:
        return rule_problem(error, explain)
    except KeyTaken:
        kept = stored(key)
        if kept is None:  # pragma: no cover - the other request's row is committed
            raise
        return replay(kept)
    return json_response(body, status, headers)
