"""The second step of a login: a TOTP code or a recovery code for the account that has just
given its password (state in a `login_challenge` row, see challenges.py)."""

from flask import flash, redirect, render_template, session, url_for
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..changes import commit
from ..extensions import db
from ..forms import AppForm, strip
from ..models import User
from ..security import safe_next
from . import bp
from .challenges import current_challenge, end_challenge
from .devices import trusted_device
from .lockout import Subject, locked_until, record_failure
from .passkeys import has_passkeys
from .totp import WRONG_CODE, check_second_factor
from .views import finish_login, locked_page, throttle


class SecondStepForm(AppForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        filters=[strip],
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )


@bp.route("/login/code", methods=["GET", "POST"])
@throttle
def second_step():
    row = current_challenge("login")
    user = db.session.get(User, row.user_id) if row is not None else None
    if user is None:
        flash("That login took too long or was not started here; please log in again.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if user.totp_secret and form.validate_on_submit():
        # The same rules as the password: the device that gave it is counted on its own.
        device = trusted_device(user)
        subject = Subject(user.id, device if device == row.device else None)
        until = locked_until(subject)
        if until is not None:
            db.session.rollback()
            return locked_page(until, trusted=subject.device is not None)
        if check_second_factor(user, form.code.data):
            next_page = safe_next(session.get("next"), url_for("habits.dashboard"))
            end_challenge(row)
            return finish_login(user, subject, row.remember, next_page)
        record_failure(subject)
        commit()
        form.code.errors.append(WRONG_CODE)
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "auth/second_step.html",
        form=form,
        totp_on=bool(user.totp_secret),
        passkeys=has_passkeys(user),
    )
    return page, status
