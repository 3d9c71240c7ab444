"""Breaks: ranges of excused days (a holiday, an illness) for every habit or chosen ones."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..changes import commit_change
from ..extensions import db
from ..formatting import readable_date
from ..habits import days, queries
from . import bp
from .forms import BreakForm


def breaks_page(form: BreakForm, habits: list, status: int = 200):
    """The user's breaks, the latest first, and the form that adds one."""
    return render_template(
        "settings/breaks.html",
        form=form,
        breaks=list(db.session.scalars(days.breaks_of(current_user))),
        habit_names=queries.break_habit_names(current_user),
        has_habits=bool(habits),
    ), status


@bp.route("/breaks", methods=["GET", "POST"])
def breaks():
    """List the breaks (GET) or add one (POST); overlapping breaks are fine."""
    habits = list(db.session.scalars(queries.habits_of(current_user)))
    form = BreakForm()
    form.set_habits(habits)
    if form.validate_on_submit():
        ids = form.chosen_ids()
        by_id = {habit.id: habit for habit in habits}
        chosen = None if ids is None else [by_id[habit_id] for habit_id in ids]
        entry = commit_change(
            lambda: days.add_break(
                current_user, form.start.data, form.end.data, chosen, form.note.data
            ),
            form,
        )
        if entry is not None:
            flash(
                f"Added a break from {readable_date(entry.start_date)} to "
                f"{readable_date(entry.end_date)}.",
                "success",
            )
            return redirect(url_for("settings.breaks"))
    return breaks_page(form, habits, 400 if form.is_submitted() else 200)


@bp.route("/breaks/<int:break_id>/delete", methods=["POST"])
def delete_break(break_id: int):
    """Delete one of the user's breaks; its days count again."""
    entry = queries.get_break_or_404(current_user, break_id)
    summary = f"{readable_date(entry.start_date)} to {readable_date(entry.end_date)}"
    commit_change(lambda: days.delete_break(entry))
    flash(f"Deleted the break from {summary}.", "success")
    return redirect(url_for("settings.breaks"))
