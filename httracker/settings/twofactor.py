"""Two-factor login on the settings page: set up TOTP with a QR code, see and renew recovery
codes, turn it off (password and a code)."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..auth import totp
from ..auth.devices import trusted_device
from ..auth.lockout import Subject, locked_until, record_failure, retry_after
from ..auth.passwords import PASSWORD_MAX
from ..changes import commit, commit_change
from ..forms import AppForm, strip
from . import bp
from .account import invalid, reauthenticate

PENDING = "totp_pending"


def code_field(prefix: str) -> StringField:
    return StringField(
        "6-digit code from your authenticator app",
        filters=[strip],
        validators=[DataRequired(), Length(max=64)],
        id=f"{prefix}-code",
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )


def current_password_field(prefix: str) -> PasswordField:
    return PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        id=f"{prefix}-current_password",
        render_kw={"autocomplete": "current-password"},
    )


class EnableTotpForm(AppForm):
    code = code_field("totp-enable")


class DisableTotpForm(AppForm):
    current_password = current_password_field("totp-disable")
    code = code_field("totp-disable")


class RecoveryCodesForm(AppForm):
    current_password = current_password_field("recovery")


@bp.context_processor
def twofactor_forms():
    return {
        "disable_totp_form": DisableTotpForm(formdata=None),
        "recovery_form": RecoveryCodesForm(formdata=None),
        "recovery_left": totp.unused_recovery_codes(current_user)
        if current_user.is_authenticated and current_user.totp_secret
        else 0,
    }


def setup_page(form, status=200):
    secret = session.get(PENDING)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[PENDING] = totp.new_secret()
    uri = totp.provisioning_uri(current_user, secret)
    page = render_template(
        "settings/totp_setup.html", form=form, secret=secret, qr=totp.qr_svg(uri), uri=uri
    )
    return page, status


@bp.route("/2fa", methods=["GET", "POST"])
def totp_setup():
    if current_user.totp_secret:
        flash("Two-factor login is already on.", "info")
        return redirect(url_for("settings.index"))
    form = EnableTotpForm()
    if not form.validate_on_submit():
        return setup_page(form, 400 if form.is_submitted() else 200)
    secret = session.get(PENDING)
    if not isinstance(secret, str):
        return setup_page(form, 400)
    codes = commit_change(lambda: totp.enable_totp(current_user, secret, form.code.data), form)
    if codes is None:
        return setup_page(form, 400)
    session.pop(PENDING, None)
    flash("Two-factor login is on.", "success")
    return render_template("settings/recovery_codes.html", codes=codes)


@bp.route("/2fa/recovery-codes", methods=["POST"])
def recovery_codes():
    form = RecoveryCodesForm()
    if not current_user.totp_secret:
        return redirect(url_for("settings.index"))
    if not (form.validate_on_submit() and reauthenticate(form)):
        return invalid(recovery_form=form)
    codes = commit_change(lambda: totp.new_recovery_codes(current_user))
    flash("New recovery codes made; the old ones no longer work.", "success")
    return render_template("settings/recovery_codes.html", codes=codes)


def code_subject(user) -> Subject:
    """What a code typed here counts against: the same as at the login's second step, so a
    stolen session cannot guess codes without limit (the browser's own allowance when it
    holds the account's device cookie, else the lockout of untrusted clients)."""
    return Subject(user.id, trusted_device(user))


def codes_locked(form, until):
    """The settings page with the lock on the code field: 429, nothing checked."""
    form.code.errors.append(f"Too many wrong codes; try again after {until:%H:%M} UTC.")
    page = render_template("settings/index.html", disable_totp_form=form)
    return page, 429, retry_after(until)


@bp.route("/2fa/disable", methods=["POST"])
def totp_disable():
    form = DisableTotpForm()
    if not current_user.totp_secret:
        return redirect(url_for("settings.index"))
    if not form.validate_on_submit():
        return invalid(disable_totp_form=form)
    subject = code_subject(current_user)
    until = locked_until(subject)
    if until is not None:
        return codes_locked(form, until)
    if not reauthenticate(form):
        return invalid(disable_totp_form=form)
    if not totp.check_second_factor(current_user, form.code.data):
        record_failure(subject)
        commit()
        form.code.errors.append(totp.WRONG_CODE)
        return invalid(disable_totp_form=form)
    commit_change(lambda: totp.disable_totp(current_user))
    flash("Two-factor login is off.", "info")
    return redirect(url_for("settings.index"))
