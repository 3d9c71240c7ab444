"""Time zone and first day of the week: what "today" and "this week" mean for the user."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.services import set_preferences
from ..changes import commit_change
from ..mail import mail_enabled
from . import bp
from .forms import PreferencesForm


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    """Choose the time zone and the first day of the week."""
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        summary = form.weekly_summary.data if mail_enabled() else None
        commit_change(
            lambda: set_preferences(
                current_user, form.timezone.data, form.week_start.data, weekly_summary=summary
            )
        )
        flash(
            f"Saved preferences: time zone {current_user.timezone}, "
            f"weeks start on {current_user.week_start.capitalize()}.",
            "success",
        )
        return redirect(url_for("settings.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("settings/preferences.html", form=form), status
