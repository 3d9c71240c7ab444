"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS).

A valid Idempotency-Key drawn by the generator is replaced, as drawn, with a fresh one.
Hypothesis draws short keys such as "0" over and over, and a repeated key rightly replays the
first response (a 201 for a break the run has since deleted), which the stateful checks would
read as a created resource gone missing. Invalid keys are left as drawn, so their rejection is still
fuzzed; replays are covered by the API's own tests.

"Created resource not found" (ST302) is dropped only when the resource was removed on purpose
in a way the check cannot see: schemathesis looks for a DELETE of the resource's own URL in the
same scenario, but a log also goes when its habit is deleted (and scenarios share one account, so
an earlier one may delete it by id). Every successful DELETE of the run is recorded, with the
habit each created or moved log belongs to; any other ST302 still fails."""

import re
import threading
import uuid

import schemathesis
from schemathesis.openapi.checks import EnsureResourceAvailability

from httracker.models.tokens import IDEMPOTENCY_KEY_MAX

KEY_HEADER = "Idempotency-Key"
OBJECT_URL = re.compile(r".*/(habits|logs|breaks)/(\d+)")
LOG_WRITE = re.compile(r".*/logs(/\d+)?")

_lock = threading.Lock()
_deleted: set[tuple[str, int]] = set()
_log_habit: dict[int, int] = {}


def _valid(key) -> bool:
    printable = isinstance(key, str) and all(33 <= ord(c) <= 126 for c in key)
    return printable and 1 <= len(key) <= IDEMPOTENCY_KEY_MAX


def _object(case) -> tuple[str, int] | None:
    found = OBJECT_URL.fullmatch(case.formatted_path)
    return (found.group(1), int(found.group(2))) if found else None


@schemathesis.hook
def map_headers(context, headers):
    if headers and _valid(headers.get(KEY_HEADER)):
        headers[KEY_HEADER] = f"contract-{uuid.uuid4().hex}"
    return headers


@schemathesis.hook
def after_call(context, case, response):
    method = case.method.upper()
    if not 200 <= response.status_code < 300:
        return
    if method == "DELETE" and (gone := _object(case)) is not None:
        with _lock:
            _deleted.add(gone)
    elif method in ("POST", "PATCH") and LOG_WRITE.fullmatch(case.formatted_path):
        log = response.json()
        with _lock:
            _log_habit[log["id"]] = log["habit_id"]


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if not isinstance(failure, EnsureResourceAvailability):
        return True
    gone = _object(case)
    with _lock:
        removed = gone in _deleted
        if gone is not None and gone[0] == "logs" and gone[1] in _log_habit:
            removed = removed or ("habits", _log_habit[gone[1]]) in _deleted
    return not removed
