"""Checking a habit off and excusing a day: small POST forms that redirect back to a safe
`next`, or show what was wrong (400)."""

from flask import flash, render_template, request, url_for
from flask_login import current_user, login_required

from ..changes import commit_change
from ..formatting import readable_date
from ..security import safe_next
from ..timeutil import user_today
from . import bp, days, queries
from .forms import DayForm
from .views import redirect_next


def change_day(habit_id: int, change, messages: tuple[str, str], *, adds: bool):
    """Run a day change on the user's habit (a day of the form, today when none is given).
    `messages` are the flashes when it changed something and when it did not, formatted
    with the habit and the day. An archived habit takes no new entries, like its logs."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    form = DayForm()
    if form.validate_on_submit():
        day = form.date.data or user_today(current_user)

        def run():
            if adds:
                days.check_open(habit)
            return change(habit, day, form.note.data)

        changed = commit_change(run, form)
        if changed is not None:
            message = messages[0] if changed else messages[1]
            flash(message.format(habit=habit.name, day=readable_date(day)), "success")
            return redirect_next(url_for("habits.detail", habit_id=habit.id))
    back = safe_next(
        request.form.get("next") or request.args.get("next"),
        url_for("habits.detail", habit_id=habit.id),
    )
    page = render_template("habits/day_error.html", form=form, habit=habit, back=back)
    return page, 400


@bp.route("/habits/<int:habit_id>/check", methods=["POST"])
@login_required
def check(habit_id: int):
    """Check a check habit off for a day (today by default)."""
    return change_day(
        habit_id,
        lambda habit, day, note: days.check_day(current_user, habit, day, note),
        days.DAY_MESSAGES["check"],
        adds=True,
    )


@bp.route("/habits/<int:habit_id>/uncheck", methods=["POST"])
@login_required
def uncheck(habit_id: int):
    """Take back a day's check."""
    return change_day(
        habit_id,
        lambda habit, day, note: days.uncheck_day(current_user, habit, day),
        days.DAY_MESSAGES["uncheck"],
        adds=False,
    )


@bp.route("/habits/<int:habit_id>/skip", methods=["POST"])
@login_required
def skip(habit_id: int):
    """Excuse a habit's day (up to a year ahead): it neither breaks nor extends a streak."""
    return change_day(
        habit_id,
        lambda habit, day, note: days.skip_day(current_user, habit, day, note),
        days.DAY_MESSAGES["skip"],
        adds=True,
    )


@bp.route("/habits/<int:habit_id>/unskip", methods=["POST"])
@login_required
def unskip(habit_id: int):
    """Take back a skipped day."""
    return change_day(
        habit_id,
        lambda habit, day, note: days.unskip_day(current_user, habit, day),
        days.DAY_MESSAGES["unskip"],
        adds=False,
    )
