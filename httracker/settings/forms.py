"""Forms of the settings pages: password, email, account deletion, preferences and import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from ..auth.forms import PASSWORD_LENGTH
from ..auth.passwords import PASSWORD_MAX, password_problem
from ..auth.services import EMAIL_TAKEN, email_taken
from ..forms import strip
from ..models import WEEK_STARTS, User
from ..timeutil import timezone_names


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    new_password = PasswordField("New password", validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("new_password", "The passwords do not match.")],
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new_password(self, field):
        problem = password_problem(field.data, [self.user.username, self.user.email])
        if problem:
            raise ValidationError(problem)


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        "New email",
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")],
    )
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        id="email-current_password",  # three forms share the settings page: ids stay unique
    )

    def validate_email(self, field):
        if email_taken(field.data):
            raise ValidationError(EMAIL_TAKEN)


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        id="delete-current_password",
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


class ImportForm(FlaskForm):
    file = FileField("CSV or JSON file", validators=[FileRequired("Choose a file to import.")])
