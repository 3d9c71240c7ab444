"""/api/v1/logs: minutes logged against time habits, listed newest first a page at a time
(a cursor keeps pages stable while logs are added), and created, read, changed and deleted
through the same services as the log pages."""

import base64
import binascii
from datetime import date

from flask import url_for
from sqlalchemy import and_, or_
from werkzeug.exceptions import BadRequest

from ..changes import RuleBroken
from ..extensions import db
from ..habits import queries, services
from ..models import HabitLog
from ..security import MAX_ID
from ..timeutil import user_today
from .auth import current_token_user
from .common import errors, resource
from .schemas import LogCreateSchema, LogListArgs, LogPageSchema, LogSchema, LogUpdateSchema
from .writes import write

blp = resource("Logs", "/logs", "Logs: minutes spent on a time habit on a day.")
BAD_CURSOR = "That cursor is not one this list gave; start again without it."
LOG_LINKS = {
    operation: {"operationId": operation, "parameters": {"log_id": "$response.body#/id"}}
    for operation in ("getLog", "updateLog", "deleteLog")
}


def encode_cursor(log: HabitLog) -> str:
    """Where the next page starts: after this log, in (date, id) order newest first."""
    return base64.urlsafe_b64encode(f"{log.date.isoformat()}.{log.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[date, int]:
    try:
        day, log_id = base64.urlsafe_b64decode(cursor.encode("ascii")).decode().split(".")
        position = date.fromisoformat(day), int(log_id)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadRequest(BAD_CURSOR) from None
    if not 0 < position[1] <= MAX_ID:
        raise BadRequest(BAD_CURSOR)
    return position


def active_habit(habit_id: int):
    """A habit a log may be added to or moved to: the user's, active and timed (the service
    says so for a check habit)."""
    habit = queries.active_habit(current_token_user(), habit_id)
    if habit is None:
        raise RuleBroken("habit_id", services.NOT_AN_ACTIVE_HABIT)
    return habit


@blp.route("", methods=["GET"])
@blp.arguments(LogListArgs, location="query", as_kwargs=True)
@blp.response(200, LogPageSchema)
@errors(blp, 404, 422)
@blp.doc(operationId="listLogs")
def list_logs(limit: int, cursor: str | None = None, **filters):
    """Your logs, newest first, filtered by habit, category and an inclusive date range."""
    user = current_token_user()
    if filters.get("habit_id") is not None:
        queries.get_habit_or_404(user, filters["habit_id"])
    query = queries.filter_logs(queries.logs_of(user), user, **filters)
    if cursor:
        day, log_id = decode_cursor(cursor)
        query = query.where(
            or_(HabitLog.date < day, and_(HabitLog.date == day, HabitLog.id < log_id))
        )
    logs = list(db.session.scalars(query.limit(limit + 1)))
    more = len(logs) > limit
    logs = logs[:limit]
    return {"items": logs, "next_cursor": encode_cursor(logs[-1]) if more else None}


@blp.route("", methods=["POST"])
@blp.arguments(LogCreateSchema)
@blp.response(201, LogSchema, headers={"Location": {"schema": {"type": "string"}}})
@errors(blp, 422, writes=True)
@blp.doc(operationId="createLog", responses={201: {"links": LOG_LINKS}})
def create_log(fields: dict):
    """Log minutes against one of your active time habits (today when no date is given); a
    day holds at most 24 hours across habits."""
    user = current_token_user()

    def change():
        habit = active_habit(fields["habit_id"])
        day = fields.get("date") or user_today(user)
        return services.add_log(user, habit, day, fields["minutes"], fields.get("note"))

    return write(
        change,
        lambda log: (
            LogSchema().dump(log),
            201,
            {"Location": url_for("Logs.get_log", log_id=log.id)},
        ),
    )


@blp.route("/<int:log_id>", methods=["GET"])
@blp.response(200, LogSchema)
@errors(blp, 404)
@blp.doc(operationId="getLog")
def get_log(log_id: int):
    """One of your logs."""
    return queries.get_log_or_404(current_token_user(), log_id)


@blp.route("/<int:log_id>", methods=["PATCH"])
@blp.arguments(LogUpdateSchema)
@blp.response(200, LogSchema)
@errors(blp, 404, 422, writes=True)
@blp.doc(operationId="updateLog")
def update_log(fields: dict, log_id: int):
    """Correct a log's habit, date, minutes or note (only the fields sent). A log may stay on
    an archived habit; it moves to active ones only."""
    user = current_token_user()
    log = queries.get_log_or_404(user, log_id)

    def change():
        habit_id = fields.get("habit_id", log.habit_id)
        if habit_id == log.habit_id:
            habit = queries.get_habit_or_404(user, habit_id)
        else:
            habit = active_habit(habit_id)
        return services.update_log(
            user,
            log,
            habit,
            fields.get("date", log.date),
            fields.get("minutes", log.minutes),
            fields.get("note", log.note),
        )

    return write(change, lambda changed: (LogSchema().dump(changed), 200, {}))


@blp.route("/<int:log_id>", methods=["DELETE"])
@blp.response(204)
@errors(blp, 404, writes=True)
@blp.doc(operationId="deleteLog")
def delete_log(log_id: int):
    """Delete one of your logs."""
    log = queries.get_log_or_404(current_token_user(), log_id)
    return write(lambda: services.delete_log(log), lambda _: (None, 204, {}))
