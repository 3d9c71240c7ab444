"""/api/v1/habits/{id}/checks and /skips, and /api/v1/breaks: the days besides logged minutes,
through the same services as the habit and break pages."""

from datetime import date

from flask import url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, ValidationError

from ..changes import RuleBroken
from ..extensions import db
from ..habits import days, queries
from ..models import Habit, HabitBreakHabit, HabitCheck, HabitSkip
from ..timeutil import ISO_DATE, user_today
from .auth import current_token_user
from .common import errors, resource
from .schemas import (
    BreakCreateSchema,
    BreakListSchema,
    BreakSchema,
    DayEntryCreateSchema,
    DayEntrySchema,
)
from .writes import write

entries = resource("Days", "/habits", "Checks and skipped days of a habit.")
breaks = resource("Breaks", "/breaks", "Breaks: ranges of excused days.")
CHOOSE_OWN = "Choose among your habits."


class DayConverter(BaseConverter):
    """A date in a path, YYYY-MM-DD; anything else names nothing (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        if not ISO_DATE.fullmatch(value):
            raise ValidationError()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


DAY_SCHEMA = {"type": "string", "format": "date"}


def entry_of(model, habit: Habit, day: date) -> dict:
    """A check or skip as the API shows it."""
    row = db.session.scalar(
        select(model).where(
            model.user_id == habit.user_id, model.habit_id == habit.id, model.date == day
        )
    )
    return DayEntrySchema().dump(row)


def add_entry(model, service, habit_id: int, fields: dict, undo: str):
    """Check or skip a day of the user's habit: 201 when added, 200 when it already was."""
    user = current_token_user()
    habit = queries.get_habit_or_404(user, habit_id)
    day = fields.get("date") or user_today(user)

    def change():
        days.check_open(habit)
        return service(user, habit, day, fields.get("note"))

    return write(
        change,
        lambda added: (
            entry_of(model, habit, day),
            201 if added else 200,
            {"Location": url_for(undo, habit_id=habit.id, day=day)} if added else {},
        ),
    )


def remove_entry(service, habit_id: int, day: date, missing: str):
    """Take back a day's check or skip: 204, or 404 when there was none."""
    user = current_token_user()
    habit = queries.get_habit_or_404(user, habit_id)

    def change():
        if not service(user, habit, day):
            raise NotFound(missing.format(habit=habit.name, day=day.isoformat()))

    return write(change, lambda _: (None, 204, {}))


def entry_links(undo: str) -> dict:
    return {
        undo: {
            "operationId": undo,
            "parameters": {"habit_id": "$request.path.habit_id", "day": "$response.body#/date"},
        }
    }


@entries.route("/<int:habit_id>/checks", methods=["POST"])
@entries.arguments(DayEntryCreateSchema)
@entries.response(201, DayEntrySchema)
@entries.alt_response(200, schema=DayEntrySchema, description="It already was", success=True)
@errors(entries, 404, 422, writes=True)
@entries.doc(operationId="checkHabit", responses={201: {"links": entry_links("uncheckHabit")}})
def check(fields: dict, habit_id: int):
    """Check a check habit off for a day (today when no date is given)."""
    return add_entry(HabitCheck, days.check_day, habit_id, fields, "Days.uncheck")


@entries.route("/<int:habit_id>/checks/<isodate:day>", methods=["DELETE"])
@entries.response(204)
@errors(entries, 404, 422, writes=True)
@entries.doc(operationId="uncheckHabit")
def uncheck(habit_id: int, day: date):
    """Take back a day's check."""
    return remove_entry(days.uncheck_day, habit_id, day, days.DAY_MESSAGES["uncheck"][1])


@entries.route("/<int:habit_id>/skips", methods=["POST"])
@entries.arguments(DayEntryCreateSchema)
@entries.response(201, DayEntrySchema)
@entries.alt_response(200, schema=DayEntrySchema, description="It already was", success=True)
@errors(entries, 404, 422, writes=True)
@entries.doc(operationId="skipHabit", responses={201: {"links": entry_links("unskipHabit")}})
def skip(fields: dict, habit_id: int):
    """Excuse a habit's day (up to a year ahead): it neither breaks nor extends a streak."""
    return add_entry(HabitSkip, days.skip_day, habit_id, fields, "Days.unskip")


@entries.route("/<int:habit_id>/skips/<isodate:day>", methods=["DELETE"])
@entries.response(204)
@errors(entries, 404, 422, writes=True)
@entries.doc(operationId="unskipHabit")
def unskip(habit_id: int, day: date):
    """Take back a skipped day."""
    return remove_entry(days.unskip_day, habit_id, day, days.DAY_MESSAGES["unskip"][1])


def break_fields(entry) -> dict:
    """A break's fields with the ids of the habits it covers (None: every habit)."""
    habit_ids = None
    if not entry.all_habits:
        habit_ids = list(
            db.session.scalars(
                select(HabitBreakHabit.habit_id)
                .where(HabitBreakHabit.break_id == entry.id)
                .order_by(HabitBreakHabit.habit_id)
            )
        )
    return {**_columns(entry), "habits": habit_ids}


def _columns(entry) -> dict:
    return {
        "id": entry.id,
        "start_date": entry.start_date,
        "end_date": entry.end_date,
        "note": entry.note,
        "created_at": entry.created_at,
    }


BREAK_LINKS = {
    operation: {"operationId": operation, "parameters": {"break_id": "$response.body#/id"}}
    for operation in ("getBreak", "deleteBreak")
}


@breaks.route("", methods=["GET"])
@breaks.response(200, BreakListSchema)
@errors(breaks)
@breaks.doc(operationId="listBreaks")
def list_breaks():
    """Your breaks, the latest first."""
    rows = db.session.scalars(days.breaks_of(current_token_user()))
    return {"items": [break_fields(entry) for entry in rows]}


@breaks.route("", methods=["POST"])
@breaks.arguments(BreakCreateSchema)
@breaks.response(201, BreakSchema, headers={"Location": {"schema": {"type": "string"}}})
@errors(breaks, 422, writes=True)
@breaks.doc(operationId="createBreak", responses={201: {"links": BREAK_LINKS}})
def create_break(fields: dict):
    """Excuse a range of days (at most a year, up to a year ahead) for every habit or for
    chosen ones; overlapping breaks are fine."""
    user = current_token_user()

    def change():
        chosen = None
        if fields["habits"] is not None:
            owned = {habit.id: habit for habit in db.session.scalars(queries.habits_of(user))}
            if any(habit_id not in owned for habit_id in fields["habits"]):
                raise RuleBroken("habits", CHOOSE_OWN)
            chosen = [owned[habit_id] for habit_id in dict.fromkeys(fields["habits"])]
        return days.add_break(user, fields["start"], fields["end"], chosen, fields.get("note"))

    return write(
        change,
        lambda entry: (
            BreakSchema().dump(break_fields(entry)),
            201,
            {"Location": url_for("Breaks.get_break", break_id=entry.id)},
        ),
    )


@breaks.route("/<int:break_id>", methods=["GET"])
@breaks.response(200, BreakSchema)
@errors(breaks, 404)
@breaks.doc(operationId="getBreak")
def get_break(break_id: int):
    """One of your breaks."""
    return break_fields(queries.get_break_or_404(current_token_user(), break_id))


@breaks.route("/<int:break_id>", methods=["DELETE"])
@breaks.response(204)
@errors(breaks, 404, writes=True)
@breaks.doc(operationId="deleteBreak")
def delete_break(break_id: int):
    """Delete one of your breaks; its days count again."""
    entry = queries.get_break_or_404(current_token_user(), break_id)
    return write(lambda: days.delete_break(entry), lambda _: (None, 204, {}))
