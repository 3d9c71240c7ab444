"""The user's order of habits: move one up or down, or set the whole order at once (a drag).

Positions are renumbered 0, 1, 2… over all the user's habits (archived ones too) in one
transaction, so two habits never share a place after a change."""

from sqlalchemy import select

from ..changes import RuleBroken
from ..extensions import db
from ..models import Habit, User
from . import services


def ordered_habits(user: User) -> list[Habit]:
    """All the user's habits in their order, under the user's lock."""
    services.lock_user(user)
    query = (
        select(Habit)
        .where(Habit.user_id == user.id)
        .order_by(Habit.position, Habit.name_key, Habit.id)
    )
    return list(db.session.scalars(query))


def _renumber(habits: list[Habit]) -> None:
    for position, habit in enumerate(habits):
        if habit.position != position:
            habit.position = position
    db.session.flush()


def move_habit(user: User, habit: Habit, step: int) -> bool:
    """Move a habit one place up (step -1) or down (+1) among the habits of its list (active
    or archived); False when it is already first or last there."""
    habits = ordered_habits(user)
    same_list = [other for other in habits if other.archived == habit.archived]
    index = next(i for i, other in enumerate(same_list) if other.id == habit.id)
    target = index + step
    if not 0 <= target < len(same_list):
        _renumber(habits)
        return False
    neighbour = same_list[target]
    i, j = habits.index(habit), habits.index(neighbour)
    habits[i], habits[j] = habits[j], habits[i]
    _renumber(habits)
    return True


def reorder_habits(user: User, habit_ids: list[int]) -> None:
    """Put the listed habits (the user's own, each once) in this order; habits not listed
    keep their relative order after them."""
    habits = ordered_habits(user)
    by_id = {habit.id: habit for habit in habits}
    if len(set(habit_ids)) != len(habit_ids) or not set(habit_ids) <= set(by_id):
        raise RuleBroken("order", "Order your own habits, each once.")
    listed = [by_id[habit_id] for habit_id in habit_ids]
    rest = [habit for habit in habits if habit.id not in set(habit_ids)]
    _renumber(listed + rest)
