"""Forms for habits, logs, checked and skipped days, and the log list's filters."""

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..changes import RuleBroken
from ..durations import ACCEPTED_FORMS, DurationError, format_minutes, parse_minutes
from ..forms import AppForm, strip
from ..models import (
    CATEGORY_MAX,
    DIRECTIONS,
    KINDS,
    MAX_TIMES_PER_WEEK,
    NAME_MAX,
    NOTE_MAX,
    TARGET_PERIODS,
)
from ..security import MAX_ID
from . import services
from .colours import PALETTE

# The log list's kinds of entry, in list order.
ENTRY_KIND_LABELS = {"log": "Logged minutes", "check": "Checks", "skip": "Skipped days"}
DURATION_HELP = f"Minutes, or hours and minutes: {ACCEPTED_FORMS}."
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# An empty duration says what to type, not that the field is required.
EMPTY_MINUTES = f"Type how long, such as {ACCEPTED_FORMS}."
PERIOD_LABELS = {"day": "per day", "week": "per week"}
KIND_LABELS = {"time": "Time: minutes you log", "check": "Check-off: done or not"}
DIRECTION_LABELS = {"at_least": "at least (a goal)", "at_most": "at most (a limit)"}


class DurationField(StringField):
    """A text box that takes durations as people type them; `data` is minutes (or None)."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        if len(valuelist[0]) > 20:
            raise ValueError(f"Enter a duration such as {ACCEPTED_FORMS}.")
        try:
            self.data = parse_minutes(valuelist[0])
        except DurationError as error:
            raise ValueError(str(error)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_minutes(self.data) if self.data else ""


class DurationRequired(InputRequired):
    """InputRequired that takes blanks for nothing typed, so "   " gets the same message as an
    empty box instead of reaching the services without minutes."""

    def __call__(self, form, field):
        if field.raw_data and (field.raw_data[0] or "").strip():
            return
        field.errors[:] = []
        raise StopValidation(self.message)


class RuleCheck:
    """A validator that asks the habits' own rule, so a form says what every entry point says
    (imports, the CLI); `flags` become HTML attributes such as maxlength."""

    def __init__(self, check, **flags):
        self.check = check
        self.field_flags = flags

    def __call__(self, form, field):
        try:
            self.check(field.data)
        except RuleBroken as error:
            raise ValidationError(error.message) from None


def int_or_none(value):
    """An id from a form, or None for anything that is not one (or too large to be one)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_ID else None


class HabitChoiceField(SelectField):
    """One of the offered habits; any other id, valid or not, gets the same message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=int_or_none, **kwargs)

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices or ()}:
            raise ValidationError(services.NOT_AN_ACTIVE_HABIT)


class HabitForm(AppForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired(), RuleCheck(services.check_name, maxlength=NAME_MAX)],
    )
    category = StringField(
        "Category",
        filters=[strip],
        validators=[Optional(), RuleCheck(services.check_category, maxlength=CATEGORY_MAX)],
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS],
        default="time",
    )
    target_direction = SelectField(
        "Direction",
        choices=[SelectChoice(direction, DIRECTION_LABELS[direction]) for direction in DIRECTIONS],
        default="at_least",
    )
    target_minutes = DurationField("Target", validators=[Optional()])
    target_times = IntegerField(
        "Times",
        validators=[Optional(), NumberRange(1, MAX_TIMES_PER_WEEK)],
        render_kw={"min": 1, "max": MAX_TIMES_PER_WEEK, "inputmode": "numeric"},
    )
    target_period = SelectField(
        "Target period",
        choices=[SelectChoice(period, PERIOD_LABELS[period]) for period in TARGET_PERIODS],
        default="day",
    )
    colour = RadioField(
        "Colour",
        choices=[SelectChoice(colour.key, colour.label) for colour in PALETTE],
        default=PALETTE[0].key,
    )
    # Shown only when the site sends mail (mail/reminders.py sends them).
    reminder_time = TimeField("Reminder at", validators=[Optional()])
    reminder_weekdays = SelectMultipleField(
        "On",
        choices=[SelectChoice(str(day), name[:3]) for day, name in enumerate(WEEKDAY_NAMES)],
        default=[str(day) for day in range(7)],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None and not self.is_submitted():
            self.reminder_weekdays.data = [
                str(day) for day in range(7) if obj.reminder_days & (1 << day)
            ]

    def validate_reminder_weekdays(self, field):
        if self.reminder_time.data and not field.data:
            raise ValidationError("Choose the days to be reminded on.")


class LogForm(AppForm):
    habit_id = HabitChoiceField("Habit")
    date = DateField("Date", format="%Y-%m-%d", validators=[InputRequired()])
    minutes = DurationField("Minutes", validators=[DurationRequired(EMPTY_MINUTES)])
    note = TextAreaField(
        "Note", filters=[strip], validators=[RuleCheck(services.check_note, maxlength=NOTE_MAX)]
    )

    def set_habits(self, habits) -> None:
        """Offer these habits as choices: the time habits (check habits take no minutes)."""
        self.habit_id.choices = [
            SelectChoice(habit.id, habit.name) for habit in habits if habit.kind == "time"
        ]

    def take_the_habit_named(self) -> None:
        """Take the habit the submission names as the one choice, unread: validation then checks
        every other field, and the write the habit (services.add_log_unread)."""
        self.habit_id.choices = [SelectChoice(self.habit_id.data, "")]


class QuickLogForm(AppForm):
    minutes = DurationField("Minutes", validators=[DurationRequired(EMPTY_MINUTES)])


class DayForm(AppForm):
    """A check or a skip of one day (today when no date is given), with an optional note."""

    date = DateField("Date", format="%Y-%m-%d", validators=[Optional()])
    note = TextAreaField(
        "Note", filters=[strip], validators=[RuleCheck(services.check_note, maxlength=NOTE_MAX)]
    )


class LogFilterForm(AppForm):
    """The filters of the log list, read from the query string."""

    habit_id = SelectField(
        "Habit", coerce=int_or_none, validators=[Optional()], validate_choice=False
    )
    category = SelectField("Category", validators=[Optional()], validate_choice=False)
    start = DateField("From", format="%Y-%m-%d", validators=[Optional()])
    end = DateField("To", format="%Y-%m-%d", validators=[Optional()])
    entry = SelectField(
        "Entries",
        choices=[SelectChoice("", "All entries")]
        + [SelectChoice(kind, label) for kind, label in ENTRY_KIND_LABELS.items()],
        validators=[Optional()],
    )

    def set_choices(self, habits, categories) -> None:
        """Offer these habits and categories to filter by."""
        self.habit_id.choices = [SelectChoice(0, "All habits")] + [
            SelectChoice(habit.id, habit.name) for habit in habits
        ]
        self.category.choices = [SelectChoice("", "All categories")] + [
            SelectChoice(name) for name in categories
        ]


DAY_ACTIONS = (
    "log",
    "correct",
    "delete",
    "check",
    "uncheck",
    "skip",
    "unskip",
    "check_note",
    "skip_note",
)


class DayEntryForm(AppForm):
    """One change on a habit's day page: log, correct or delete minutes, check or uncheck,
    skip or unskip, each with an optional note (kept by the entry it adds); or set the note of
    the day's check or skip. A correction sent with an empty note clears it; one sent without
    the field keeps it."""

    action = SelectField("Action", choices=[SelectChoice(action) for action in DAY_ACTIONS])
    minutes = DurationField("Minutes", validators=[Optional()])
    log_id = IntegerField("Log", validators=[Optional(), NumberRange(1, MAX_ID)])
    note = TextAreaField(
        "Note", filters=[strip], validators=[RuleCheck(services.check_note, maxlength=NOTE_MAX)]
    )

    # Where the services' day rules put their messages ("That day is in the future…").
    date = HiddenField("Date")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data in ("log", "correct") and self.minutes.data is None:
            if not self.minutes.errors:
                self.minutes.errors = [*self.minutes.errors, EMPTY_MINUTES]
            valid = False
        if self.action.data in ("correct", "delete") and self.log_id.data is None:
            self.log_id.errors = [*self.log_id.errors, "Choose one of this day's logs."]
            valid = False
        return valid
