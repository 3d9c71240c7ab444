"""Account forms: register and log in (the settings blueprint has the account-change forms)."""

from flask import current_app
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..forms import AppForm, strip, validate_username_format
from ..timeutil import timezone_groups
from .passwords import PASSWORD_LENGTH_RULE, PASSWORD_MAX, PASSWORD_MIN, password_problem
from .services import EMAIL_TAKEN, email_taken, username_taken

PASSWORD_LENGTH = Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=PASSWORD_LENGTH_RULE)


class RegisterForm(AppForm):
    username = StringField("Username", filters=[strip], validators=[DataRequired(), Length(max=32)])
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), PASSWORD_LENGTH],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", "The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
    # The site's script sets it to the browser's zone; the person can change it.
    timezone = SelectField(
        "Time zone",
        default="UTC",
        validators=[DataRequired()],
        render_kw={"data-detect-timezone": "", "autocomplete": "off"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_groups()
        if self.timezone.raw_data:
            # The form came back with the zone the person sent: the script leaves it alone.
            self.timezone.render_kw = {**self.timezone.render_kw, "data-chosen": "true"}

    # Asked for only when REGISTRATION=invite (the view checks it with the account).
    invite = StringField(
        "Invitation code", filters=[strip], validators=[Optional(), Length(max=64)]
    )

    def validate_password(self, field):
        problem = password_problem(field.data, [self.username.data, self.email.data])
        if problem:
            raise ValidationError(problem)

    def validate_username(self, field):
        message = validate_username_format(field.data)
        if message:
            raise ValidationError(message)
        if username_taken(field.data):
            raise ValidationError("That username is taken.")

    def validate_email(self, field):
        # With mail, a taken address gets a mail instead of a message here (no enumeration).
        if not current_app.config.get("MAIL_SERVER") and email_taken(field.data):
            raise ValidationError(EMAIL_TAKEN)


class LoginForm(AppForm):
    login = StringField(
        "Username or email", filters=[strip], validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in")
