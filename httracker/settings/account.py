"""Password, email and account deletion: each needs the current password again."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from ..auth import services
from ..auth.devices import give_device_cookie
from ..changes import commit, commit_change
from ..mail import mail_enabled
from ..mail.accounts import request_email_change
from . import bp
from .forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm


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


def reauthenticate(form) -> bool:
    """Check the form's re-entered password. A wrong one is shown on the form and committed as
    a failed attempt (the request's one commit), which counts towards the account lockout."""
    problem = services.confirm_password(current_user, form.current_password.data)
    if problem is None:
        return True
    form.current_password.errors.append(problem)
    commit()
    return False


@bp.route("/password", methods=["POST"])
def change_password():
    form = ChangePasswordForm(current_user)
    if not (form.validate_on_submit() and reauthenticate(form)):
        return invalid(password_form=form)
    ended = commit_change(
        lambda: services.change_password(
            current_user, form.new_password.data, keep_session=current_user.session_id
        ),
        form,
    )
    if ended is None:
        return invalid(password_form=form)
    # Every device cookie of the old password is void; this browser gets one for the new.
    give_device_cookie(current_user)
    flash("Your password has been changed; every other device has been logged out.", "success")
    return redirect(url_for("settings.index"))


@bp.route("/email", methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if not (form.validate_on_submit() and reauthenticate(form)):
        return invalid(email_form=form)
    if mail_enabled():
        # The new address confirms first; the account keeps the old one until then.
        address = commit_change(lambda: request_email_change(current_user, form.email.data), form)
        if address is None:
            return invalid(email_form=form)
        flash(f"Follow the link sent to {address} to confirm the change.", "info")
        return redirect(url_for("settings.index"))
    if commit_change(lambda: services.change_email(current_user, form.email.data), form) is None:
        return invalid(email_form=form)
    flash("Your email address has been changed.", "success")
    return redirect(url_for("settings.index"))


@bp.route("/delete", methods=["POST"])
def delete_account():
    form = DeleteAccountForm(current_user)
    if not (form.validate_on_submit() and reauthenticate(form)):
        return invalid(delete_form=form)
    # One transaction: the database cascades to habits, logs, sessions and login failures.
    commit_change(lambda: services.delete_user(current_user._get_current_object()))
    session.clear()
    logout_user()
    flash("Your account and all its data have been deleted.", "info")
    return redirect(url_for("auth.login"))
