"""/api/v1/timer: the running timer, started, stopped (its minutes become logs, one a day) and
discarded, through the same services as the timer pages."""

from collections.abc import Callable
from contextlib import contextmanager

from flask import url_for

from ..changes import RuleBroken
from ..habits import queries
from ..models import utcnow
from ..timer import services
from .auth import current_token_user
from .common import errors, resource
from .schemas import StopResultSchema, TimerStartSchema, TimerStateSchema, TimerStopSchema
from .writes import write

blp = resource("Timer", "/timer", "The timer: one running at a time; stopping it logs its minutes.")


# The timer services name their rules by the web form's fields; these are this API's.
START_FIELDS = {"started": "started_at", "minutes": "habit_id"}


@contextmanager
def request_fields(field_of: Callable[[RuleBroken], str]):
    """A refusal of the services, named by the field of this request it belongs to."""
    try:
        yield
    except RuleBroken as error:
        error.field = field_of(error)
        raise


def state(timer, now) -> dict:
    """The timer as the API shows it (None when none runs)."""
    if timer is None:
        return {"running": False, "timer": None}
    return {
        "running": True,
        "timer": {
            "id": timer.id,
            "habit_id": timer.habit_id,
            "started_at": timer.started_at,
            "note": timer.note,
            "seconds": max(0, int((now - timer.started_at).total_seconds())),
        },
    }


def stopped(result) -> dict:
    return {
        "habit_id": result.habit.id,
        "minutes": result.minutes,
        "too_short": result.too_short,
        "logs": list(result.logs),
    }


@blp.route("", methods=["GET"])
@blp.response(200, TimerStateSchema)
@errors(blp)
@blp.doc(operationId="getTimer")
def get_timer():
    """The running timer, if any, with the seconds it has run."""
    return state(services.running_timer(current_token_user()), utcnow())


@blp.route("/start", methods=["POST"])
@blp.arguments(TimerStartSchema)
@blp.response(201, TimerStateSchema)
@errors(blp, 404, 422, writes=True)
@blp.doc(operationId="startTimer")
def start_timer(fields: dict):
    """Start timing one of your habits (from `started_at`, default now); a timer already
    running is stopped first, where the new one starts, and its minutes logged. A
    `started_at` before the running timer's own start is a 422 on `started_at`."""
    user = current_token_user()
    habit = queries.get_habit_or_404(user, fields["habit_id"])
    now = utcnow()

    def change():
        with request_fields(lambda error: START_FIELDS.get(error.field, error.field)):
            return services.start_timer(
                user, habit, now, fields.get("started_at"), fields.get("note")
            )

    return write(
        change,
        lambda result: (
            TimerStateSchema().dump(
                {
                    **state(result.timer, now),
                    "stopped": stopped(result.stopped) if result.stopped else None,
                }
            ),
            201,
            {"Location": url_for("Timer.get_timer")},
        ),
    )


@blp.route("/stop", methods=["POST"])
@blp.arguments(TimerStopSchema)
@blp.response(200, StopResultSchema)
@errors(blp, 422, writes=True)
@blp.doc(operationId="stopTimer")
def stop_timer(fields: dict):
    """Stop the running timer and log its minutes, one log per day it ran. A run over 12 hours
    or one a day cannot hold needs `minutes` per day (422 until then)."""
    user = current_token_user()
    minutes = fields.get("minutes")

    def change():
        # A stop to confirm is answered with `minutes`; any other refusal is about the timer.
        with request_fields(lambda error: "minutes" if plan_days(error) else "timer_id"):
            return services.stop_timer(
                user, utcnow(), minutes=minutes, timer_id=fields.get("timer_id")
            )

    return write(
        change,
        lambda result: (StopResultSchema().dump(stopped(result)), 200, {}),
        explain=plan_days,
    )


def plan_days(error) -> dict:
    """The days of a stop to confirm, for the problem the client answers with `minutes`."""
    plan = getattr(error, "plan", None)
    if plan is None:
        return {}
    return {
        "days": [
            {"date": day.date.isoformat(), "minutes": day.minutes, "fits": day.fits}
            for day in plan.days
        ]
    }


@blp.route("/discard", methods=["POST"])
@blp.response(204)
@errors(blp, 422, writes=True)
@blp.doc(operationId="discardTimer")
def discard_timer():
    """End the running timer without logging anything."""
    user = current_token_user()
    return write(lambda: services.discard_timer(user), lambda _: (None, 204, {}))
