"""/api/v1/habits: list, create, read, change, archive, restore and delete habits, through the
same services as the habit pages."""

from flask import url_for

from ..extensions import db
from ..habits import queries, services
from ..habits.targets import Target
from .auth import current_token_user
from .common import errors, resource
from .schemas import (
    HabitCreateSchema,
    HabitListArgs,
    HabitListSchema,
    HabitSchema,
    HabitUpdateSchema,
)
from .writes import write

blp = resource("Habits", "/habits", "Habits: time habits (minutes) and check habits (done or not).")


def links(*operations: str) -> dict:
    """OpenAPI links from a response holding a habit to the operations on that habit."""
    return {
        operation: {"operationId": operation, "parameters": {"habit_id": "$response.body#/id"}}
        for operation in operations
    }


HABIT_LINKS = links(
    "getHabit",
    "updateHabit",
    "archiveHabit",
    "unarchiveHabit",
    "deleteHabit",
    "checkHabit",
    "skipHabit",
)


def dump(habit) -> dict:
    return HabitSchema().dump(habit)


def habit_or_404(habit_id: int):
    return queries.get_habit_or_404(current_token_user(), habit_id)


@blp.route("", methods=["GET"])
@blp.arguments(HabitListArgs, location="query", as_kwargs=True)
@blp.response(200, HabitListSchema)
@errors(blp, 422)
@blp.doc(operationId="listHabits")
def list_habits(archived: bool | None = None):
    """Your habits in your order, optionally only active or only archived ones."""
    query = queries.habits_of(
        current_token_user(), active=None if archived is None else not archived
    )
    return {"items": list(db.session.scalars(query))}


@blp.route("", methods=["POST"])
@blp.arguments(HabitCreateSchema)
@blp.response(201, HabitSchema, headers={"Location": {"schema": {"type": "string"}}})
@errors(blp, 422, writes=True)
@blp.doc(operationId="createHabit", responses={201: {"links": HABIT_LINKS}})
def create_habit(fields: dict):
    """Create a habit; its name is unique among yours in any letter case."""
    user = current_token_user()
    target = Target(
        fields["target_minutes"],
        fields["target_period"],
        fields["kind"],
        fields["target_direction"],
        fields["target_times"],
    )
    return write(
        lambda: services.create_habit(user, fields["name"], fields["category"], target),
        lambda habit: (
            dump(habit),
            201,
            {"Location": url_for("Habits.get_habit", habit_id=habit.id)},
        ),
    )


@blp.route("/<int:habit_id>", methods=["GET"])
@blp.response(200, HabitSchema)
@errors(blp, 404)
@blp.doc(operationId="getHabit")
def get_habit(habit_id: int):
    """One of your habits."""
    return habit_or_404(habit_id)


@blp.route("/<int:habit_id>", methods=["PATCH"])
@blp.arguments(HabitUpdateSchema)
@blp.response(200, HabitSchema)
@errors(blp, 404, 422, writes=True)
@blp.doc(operationId="updateHabit")
def update_habit(fields: dict, habit_id: int):
    """Change a habit's name, category or target (only the fields sent). Its kind stays once
    it has entries."""
    user = current_token_user()
    habit = habit_or_404(habit_id)
    target = Target(
        fields.get("target_minutes", habit.target_minutes),
        fields.get("target_period", habit.target_period),
        fields.get("kind", habit.kind),
        fields.get("target_direction", habit.target_direction),
        fields.get("target_times", habit.target_times),
    )
    name = fields.get("name", habit.name)
    category = fields.get("category", habit.category)
    return write(
        lambda: services.update_habit(user, habit, name, category, target),
        lambda changed: (dump(changed), 200, {}),
    )


def set_archived(habit_id: int, archived: bool):
    habit = habit_or_404(habit_id)

    def change():
        services.set_archived(habit, archived)
        return habit

    return write(change, lambda changed: (dump(changed), 200, {}))


@blp.route("/<int:habit_id>/archive", methods=["POST"])
@blp.response(200, HabitSchema)
@errors(blp, 404, writes=True)
@blp.doc(operationId="archiveHabit")
def archive_habit(habit_id: int):
    """Archive a habit: it takes no new entries; its history stays."""
    return set_archived(habit_id, True)


@blp.route("/<int:habit_id>/unarchive", methods=["POST"])
@blp.response(200, HabitSchema)
@errors(blp, 404, writes=True)
@blp.doc(operationId="unarchiveHabit")
def unarchive_habit(habit_id: int):
    """Bring an archived habit back."""
    return set_archived(habit_id, False)


@blp.route("/<int:habit_id>", methods=["DELETE"])
@blp.response(204)
@errors(blp, 404, writes=True)
@blp.doc(operationId="deleteHabit")
def delete_habit(habit_id: int):
    """Delete a habit with all its logs, check-offs and skipped days."""
    habit = habit_or_404(habit_id)
    return write(lambda: services.delete_habit(habit), lambda _: (None, 204, {}))
