"""Forms of the settings pages: password, email, account deletion, preferences, import,
breaks and API tokens."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.forms import PASSWORD_LENGTH
from ..auth.passwords import PASSWORD_MAX, password_problem
from ..auth.services import EMAIL_TAKEN, email_taken
from ..auth.tokens import EXPIRY_DAYS
from ..forms import AppForm, strip
from ..habits.forms import RuleCheck
from ..habits.services import check_note
from ..mail import mail_enabled
from ..models import NOTE_MAX, TOKEN_NAME_MAX, WEEK_STARTS, User
from ..timeutil import timezone_groups


class ChangePasswordForm(AppForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), PASSWORD_LENGTH],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("new_password", "The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new_password(self, field):
        problem = password_problem(field.data, [self.user.username, self.user.email])
        if problem:
            raise ValidationError(problem)


class ChangeEmailForm(AppForm):
    email = EmailField(
        "New email",
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")],
    )
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        id="email-current_password",  # three forms share the settings page: ids stay unique
        render_kw={"autocomplete": "current-password"},
    )

    def validate_email(self, field):
        # With mail, a taken address is answered like a free one (request_email_change), so
        # the form does not tell who has an account.
        if not mail_enabled() and email_taken(field.data):
            raise ValidationError(EMAIL_TAKEN)


class DeleteAccountForm(AppForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        id="delete-current_password",
        render_kw={"autocomplete": "current-password"},
    )
    confirm_username = StringField(
        "Type your username to confirm", filters=[strip], validators=[DataRequired()]
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_confirm_username(self, field):
        if field.data != self.user.username:
            raise ValidationError("Type your username exactly as shown to confirm.")


class PreferencesForm(AppForm):
    timezone = SelectField("Time zone", validators=[InputRequired()])
    week_start = SelectField(
        "Weeks start on",
        choices=[SelectChoice(day, day.capitalize()) for day in WEEK_STARTS],
        validators=[InputRequired()],
    )
    # Shown only when the site sends mail.
    weekly_summary = BooleanField("Email me a summary of my week")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_groups()


class ImportForm(AppForm):
    file = FileField("File to import", validators=[FileRequired("Choose a file to import.")])


class ImportMappingForm(AppForm):
    """How a time tracker's entries become habits; the preview sets the choices."""

    mapping = SelectField("Habits from", validators=[InputRequired()])


# The choice of the break form that stands for every habit, now and later.
ALL_HABITS = "all"


class HabitCheckboxes(SelectMultipleField):
    """Checkboxes: "All habits" or some of the offered habits; any other value, valid or not,
    gets the same message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices or ()}
        if any(value not in offered for value in self.data or ()):
            raise StopValidation("Choose among your habits.")


class BreakForm(AppForm):
    start = DateField("First day", format="%Y-%m-%d", validators=[InputRequired()])
    end = DateField("Last day", format="%Y-%m-%d", validators=[InputRequired()])
    habits = HabitCheckboxes("Habits")
    note = TextAreaField(
        "Note", filters=[strip], validators=[RuleCheck(check_note, maxlength=NOTE_MAX)]
    )

    def set_habits(self, habits) -> None:
        """Offer "All habits" and these habits (archived ones marked)."""
        self.habits.choices = [SelectChoice(ALL_HABITS, "All habits")] + [
            SelectChoice(str(habit.id), habit.name + (" (archived)" if habit.archived else ""))
            for habit in habits
        ]

    def validate_habits(self, field):
        if not field.data:
            raise ValidationError("Choose the habits the break is for, or all of them.")
        if ALL_HABITS in field.data and len(field.data) > 1:
            raise ValidationError("Choose all habits or some of them, not both.")

    def chosen_ids(self) -> list[int] | None:
        """The chosen habits' ids, or None for all habits."""
        if ALL_HABITS in self.habits.data:
            return None
        return [int(value) for value in self.habits.data]


EXPIRY_CHOICES = [SelectChoice("", "Never")] + [
    SelectChoice(str(days), f"In {days} days") for days in EXPIRY_DAYS
]


class TokenForm(AppForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired(), Length(max=TOKEN_NAME_MAX)],
        render_kw={"maxlength": TOKEN_NAME_MAX},
    )
    scope = SelectField(
        "Access",
        choices=[
            SelectChoice("read", "Read: see habits, logs and analytics"),
            SelectChoice("write", "Write: also create, change and delete"),
        ],
        default="read",
    )
    expires_in_days = SelectField("Expires", choices=EXPIRY_CHOICES, default="")

    def expiry(self) -> int | None:
        """The chosen lifetime in days, or None for a token that does not expire."""
        return int(self.expires_in_days.data) if self.expires_in_days.data else None
