"""/api/v1/me and /api/v1/analytics: who the token belongs to, and the numbers of the
analytics page as the same document as /analytics/data.json."""

from flask import request
from werkzeug.exceptions import BadRequest

from ..analytics import report
from ..analytics.params import RangeError, parse
from ..timeutil import user_today
from .auth import current_token, current_token_user
from .common import errors, resource
from .report_schemas import AnalyticsSchema
from .schemas import MeSchema
from .writes import json_response

me = resource("Me", "/me", "The account the token belongs to.")
analytics = resource("Analytics", "/analytics", "Totals, streaks and scores.")


@me.route("", methods=["GET"])
@me.response(200, MeSchema)
@errors(me)
@me.doc(operationId="getMe")
def get_me():
    """Your account, today in your time zone, and the token in use."""
    user, token = current_token_user(), current_token()
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "timezone": user.timezone,
        "week_start": user.week_start,
        "today": user_today(user),
        "token": {"name": token.name, "scope": token.scope, "expires_at": token.expires_at},
    }


def query(name: str, description: str, schema: dict) -> dict:
    return {"in": "query", "name": name, "description": description, "schema": schema}


ANALYTICS_PARAMETERS = [
    query(
        "range",
        "7d, 30d (default), 90d, 365d ending today, or all from your first log.",
        {"type": "string", "enum": ["7d", "30d", "90d", "365d", "all"]},
    ),
    query(
        "start",
        "Instead of range: the first day (with end).",
        {"type": "string", "format": "date"},
    ),
    query(
        "end",
        "Instead of range: the last day (with start).",
        {"type": "string", "format": "date"},
    ),
    query("habit_id", "Only this habit.", {"type": "integer", "minimum": 1}),
    query("category", "Only habits in this category.", {"type": "string", "maxLength": 40}),
]


@analytics.route("", methods=["GET"])
@analytics.response(200, AnalyticsSchema)
@errors(analytics, 404)
@analytics.doc(operationId="getAnalytics", parameters=ANALYTICS_PARAMETERS)
def get_analytics():
    """The same document as /analytics/data.json for the same parameters (see the README)."""
    for name in ("range", "start", "end", "habit_id"):
        value = request.args.get(name)
        # data.json reads an empty or padded value as left out; the API's contract is strict.
        if value is not None and (not value or value != value.strip()):
            raise BadRequest(f"'{name}' is empty or padded with spaces; leave it out or fix it.")
    try:
        params = parse(request.args)
    except RangeError as error:
        raise BadRequest(str(error)) from None
    user = current_token_user()
    return json_response(report.overview_for(user, params, report.today_for(user)).to_json())
