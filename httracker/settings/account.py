"""Password, email and account deletion: each needs the current password again."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..auth.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from ..auth.lockout import locked_until, record_failure
from ..auth.services import check_password, set_password
from ..auth.sessions import revoke_sessions
from ..extensions import db
from .views import bp

REAUTH_FAILED = "That is not your current password."
EMAIL_TAKEN = "An account with that email already exists."


@bp.context_processor
def account_forms():
    """Empty forms for the account section; a view re-rendering after an error passes its own."""
    return {
        "password_form": ChangePasswordForm(current_user, formdata=None),
        "email_form": ChangeEmailForm(formdata=None),
        "delete_form": DeleteAccountForm(current_user, formdata=None),
    }


def invalid(**forms):
    """The settings page again, with the submitted form's inline errors, as a 400."""
    return render_template("settings/index.html", **forms), 400


def password_confirmed(form) -> bool:
    """Check the re-entered password. A wrong one counts towards the account lockout like a
    failed login, so a stolen session cannot be used to guess the password."""
    until = locked_until(current_user)
    if until is not None:
        form.current_password.errors.append(
            f"Too many wrong passwords; try again after {until:%H:%M} UTC."
        )
        return False
    if check_password(current_user, form.current_password.data):
        return True
    form.current_password.errors.append(REAUTH_FAILED)
    audit("reauth.failure", current_user.id)
    record_failure(current_user)
    db.session.commit()
    return False


@bp.route("/password", methods=["POST"])
def change_password():
    form = ChangePasswordForm(current_user)
    if not (form.validate_on_submit() and password_confirmed(form)):
        return invalid(password_form=form)
    set_password(current_user, form.new_password.data)
    ended = revoke_sessions(current_user, except_session=current_user.session_id)
    db.session.commit()
    audit("password.changed", current_user.id, sessions_ended=ended)
    flash("Your password has been changed; every other device has been logged out.", "success")
    return redirect(url_for("settings.index"))


@bp.route("/email", methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if not (form.validate_on_submit() and password_confirmed(form)):
        return invalid(email_form=form)
    current_user.email = form.email.data.lower()
    try:
        db.session.commit()
    except IntegrityError:
        # Another account took the address between the form's check and our update.
        db.session.rollback()
        form.email.errors.append(EMAIL_TAKEN)
        return invalid(email_form=form)
    audit("email.changed", current_user.id)
    flash("Your email address has been changed.", "success")
    return redirect(url_for("settings.index"))


@bp.route("/delete", methods=["POST"])
def delete_account():
    form = DeleteAccountForm(current_user)
    if not (form.validate_on_submit() and password_confirmed(form)):
        return invalid(delete_form=form)
    user_id = current_user.id
    # One transaction: the database cascades to habits, logs, sessions and login failures.
    db.session.delete(current_user._get_current_object())
    db.session.commit()
    audit("account.deleted", user_id)
    session.clear()
    logout_user()
    flash("Your account and all its data have been deleted.", "info")
    return redirect(url_for("auth.login"))
