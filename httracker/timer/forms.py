"""Forms of the timer: start (habit, note, when it started) and the confirmed stop."""

from wtforms import DateField, FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import InputRequired, Length

from ..formatting import readable_date
from ..forms import AppForm, strip
from ..habits.forms import DurationField, RuleCheck, int_or_none
from ..habits.services import check_note
from ..models import NOTE_MAX

STARTED_MAX = 40
# A stop page lists one row per day the timer ran; a forgotten timer can run for weeks.
MAX_DAYS = 400


class IdField(HiddenField):
    """An id from a form: an int, or None for anything that cannot be one."""

    def process_formdata(self, valuelist):
        self.data = int_or_none(valuelist[0]) if valuelist else None


class StartTimerForm(AppForm):
    habit_id = IdField()
    started = StringField(
        "Started",
        filters=[strip],
        validators=[Length(max=STARTED_MAX)],
        render_kw={"maxlength": STARTED_MAX, "placeholder": "now, 10m ago or 14:05"},
    )
    note = StringField(
        "Note", filters=[strip], validators=[RuleCheck(check_note, maxlength=NOTE_MAX)]
    )


class DayMinutesForm(Form):
    """One day of a timer being stopped: its date and the minutes to log on it (0 or empty:
    nothing that day)."""

    date = DateField("Date", format="%Y-%m-%d", validators=[InputRequired()])
    minutes = DurationField("Minutes")


class ConfirmStopForm(AppForm):
    timer_id = IdField()
    days = FieldList(FormField(DayMinutesForm), min_entries=0, max_entries=MAX_DAYS)

    def confirmed_minutes(self) -> dict | None:
        """Minutes per day as confirmed, or None (with an error on the form) when a day is
        listed twice."""
        minutes = {}
        for entry in self.days:
            day = entry.form.date.data
            if day in minutes:
                self.form_errors.append(f"{readable_date(day)} is listed twice.")
                return None
            minutes[day] = entry.form.minutes.data or 0
        return minutes
