"""Ordering habits: move up/down buttons (plain forms) and the whole order at once (a drag on
the habit list, sent by the site's script)."""

from flask import flash, request, url_for
from flask_login import current_user, login_required

from ..changes import RuleBroken, commit_change
from . import bp, order, queries
from .forms import int_or_none
from .views import redirect_next

STEPS = {"up": -1, "down": 1}


@bp.route("/habits/<int:habit_id>/move", methods=["POST"])
@login_required
def move(habit_id: int):
    """Move a habit one place up or down in the user's order."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    step = STEPS.get(request.form.get("direction", ""))
    if step is None:
        return "Move a habit up or down.", 400
    moved = commit_change(lambda: order.move_habit(current_user, habit, step))
    direction = "up" if step < 0 else "down"
    if moved:
        flash(f"Moved {habit.name} {direction}.", "success")
    else:
        flash(f"{habit.name} is already {'first' if step < 0 else 'last'}.", "info")
    return redirect_next(url_for("habits.list_habits"))


@bp.route("/habits/order", methods=["POST"])
@login_required
def reorder():
    """Set the order of the listed habits (ids separated by commas, first to last); 204 for
    the script, a redirect to the list for a form."""
    # CSRFProtect has checked the token before this view runs.
    raw = request.form.get("order", "")
    ids = [int_or_none(part) for part in raw.split(",") if part.strip()]
    if not ids or None in ids or len(ids) > 1000:
        return "Send the habit ids in their new order.", 400
    try:
        commit_change(lambda: order.reorder_habits(current_user, ids))
    except RuleBroken as error:
        return error.message, 400
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    flash("Saved the order of your habits.", "success")
    return redirect_next(url_for("habits.list_habits"))
