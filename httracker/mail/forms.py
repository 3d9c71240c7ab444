"""Forms of the mail pages: forgot password, a new password from a reset link."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..auth.forms import PASSWORD_LENGTH
from ..forms import AppForm, strip


class ForgotPasswordForm(AppForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")],
    )


class ResetPasswordForm(AppForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), PASSWORD_LENGTH],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", "The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
