"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS).

A valid Idempotency-Key drawn by the generator is replaced, as drawn, with a fresh one.
Hypothesis draws short keys such as "0" over and over, and a repeated key rightly replays the
first response (a 201 for a break the run has since deleted), which the stateful checks would
read as a created resource gone missing. Invalid keys are left as drawn, so their rejection is still
fuzzed; replays are covered by the API's own tests."""

import uuid

import schemathesis

from httracker.models.tokens import IDEMPOTENCY_KEY_MAX

KEY_HEADER = "Idempotency-Key"


def _valid(key) -> bool:
    printable = isinstance(key, str) and all(33 <= ord(c) <= 126 for c in key)
    return printable and 1 <= len(key) <= IDEMPOTENCY_KEY_MAX


@schemathesis.hook
def map_headers(context, headers):
    if headers and _valid(headers.get(KEY_HEADER)):
        headers[KEY_HEADER] = f"contract-{uuid.uuid4().hex}"
    return headers
