"""Account forms."""

import re

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..extensions import db
from ..models import User, fold
from .passwords import password_problem

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{3,32}")
PASSWORD_MIN, PASSWORD_MAX = 10, 1024
PASSWORD_LENGTH = Length(
    min=PASSWORD_MIN, max=PASSWORD_MAX, message=f"Use {PASSWORD_MIN}–{PASSWORD_MAX} characters."
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def validate_username_format(username: str) -> str | None:
    """An error message for a malformed username, or None."""
    if not USERNAME_PATTERN.fullmatch(username or ""):
        return "Use 3–32 letters, digits, '_', '.' or '-'."
    return None


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username_key == fold(username))) is not None


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email.lower())) is not None


class RegisterForm(FlaskForm):
    username = StringField("Username", filters=[strip], validators=[DataRequired(), Length(max=32)])
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")],
    )
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", "The passwords do not match.")],
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
        if email_taken(field.data):
            raise ValidationError("An account with that email already exists.")


class LoginForm(FlaskForm):
    login = StringField(
        "Username or email", filters=[strip], validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me logged in")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for POST buttons."""


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
            raise ValidationError("An account with that email already exists.")


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
