"""Security events as structured log lines: one JSON object per line, never a secret."""

import json
import logging
from datetime import UTC, datetime

from flask import has_request_context, request

logger = logging.getLogger("httracker.audit")
# INFO even when the app logs only warnings: these lines are the audit trail.
logger.setLevel(logging.INFO)


def client_ip() -> str:
    """The client's address (ProxyFix has already applied X-Forwarded-For when trusted)."""
    return (request.remote_addr or "") if has_request_context() else ""


def audit(event: str, user_id: int | None = None, **fields) -> None:
    """Log `event` with the user id and client IP; callers pass no passwords or tokens."""
    record = {
        "event": event,
        "user_id": user_id,
        "ip": client_ip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **fields,
    }
    logger.info(json.dumps(record, sort_keys=True, default=str))
