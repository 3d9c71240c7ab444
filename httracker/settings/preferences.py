"""Time zone and first day of the week: what "today" and "this week" mean for the user."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..extensions import db
from ..models import WEEK_STARTS
from ..timeutil import timezone_names
from .views import bp


class PreferencesForm(FlaskForm):
    timezone = SelectField("Time zone", validators=[InputRequired()])
    week_start = SelectField(
        "Weeks start on",
        choices=[SelectChoice(day, day.capitalize()) for day in WEEK_STARTS],
        validators=[InputRequired()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [
            SelectChoice(name, name.replace("_", " ")) for name in timezone_names()
        ]


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    """Choose the time zone and the first day of the week."""
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        current_user.timezone = form.timezone.data
        current_user.week_start = form.week_start.data
        db.session.commit()
        flash(
            f"Saved preferences: time zone {current_user.timezone}, "
            f"weeks start on {current_user.week_start.capitalize()}.",
            "success",
        )
        return redirect(url_for("settings.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("settings/preferences.html", form=form), status
