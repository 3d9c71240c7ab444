"""Pages reached from mail: forgot password, reset, confirm an address, unsubscribe."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from ..changes import RuleBroken, commit_change
from ..extensions import csrf, db, limiter
from ..models import Habit, User
from . import accounts, bp, mail_enabled
from .forms import ForgotPasswordForm, ResetPasswordForm
from .tokens import unsign

# Per client IP, like login and register (AUTH_RATE_LIMIT); per address: accounts.py.
throttle = limiter.limit(
    lambda: current_app.config["AUTH_RATE_LIMIT"],
    methods=["POST"],
    exempt_when=lambda: not current_app.config["AUTH_RATE_LIMIT_ENABLED"],
    error_message="Too many attempts from your network. Please wait a minute and try again.",
)
SENT = (
    "If an account has that address, a link to reset its password is on its way. "
    "It works once, within an hour."
)


@bp.before_request
def only_with_mail():
    """Without MAIL_SERVER these pages do not exist. The logged-in user (if any) is loaded
    first: the loader reads its session row on a connection of its own, which must come before
    the request's transaction (on SQLite that transaction holds the write lock)."""
    if not mail_enabled():
        abort(404)
    current_user.is_authenticated  # noqa: B018


@bp.route("/auth/forgot", methods=["GET", "POST"])
@throttle
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        per_address = current_app.config["PASSWORD_RESET_PER_ADDRESS"]
        commit_change(lambda: accounts.request_password_reset(form.email.data, per_address))
        flash(SENT, "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("mail/forgot.html", form=form), status


def link_failed(message: str):
    return render_template("mail/link_failed.html", message=message), 404


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
@throttle
def reset_password(token: str):
    """Choose a new password through a reset link; every session of the account ends."""
    user = accounts.user_for_reset(token)
    if user is None:
        return link_failed("This reset link has expired or has been used. Ask for a new one.")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ended = commit_change(lambda: accounts.reset_password(user, form.password.data), form)
        if ended is not None:
            flash("Your password has been changed and every device logged out.", "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("mail/reset.html", form=form, user=user), status


@bp.route("/auth/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm an address (GET shows the button, so a mail scanner fetching links confirms
    nothing)."""
    found = accounts.confirmation_for(token)
    if found is None:
        return link_failed("This confirmation link has expired or has been used.")
    user, payload = found
    if request.method == "POST":  # CSRFProtect has checked the token
        try:
            address = commit_change(lambda: accounts.confirm(user, payload))
        except RuleBroken as error:
            return link_failed(error.message)
        flash(f"Confirmed {address}.", "success")
        home = "habits.dashboard" if current_user.is_authenticated else "auth.login"
        return redirect(url_for(home))
    return render_template("mail/confirm.html", address=payload["e"])


@bp.route("/settings/email/confirm", methods=["POST"])
@login_required
def resend_confirmation():
    """Send the confirmation link of the account's address again."""
    if not current_user.email_verified:
        commit_change(lambda: accounts.send_confirmation(current_user))
        flash(f"A confirmation link is on its way to {current_user.email}.", "info")
    return redirect(url_for("settings.index"))


def unsubscribe_target(token: str):
    """(user id, habit id or None) of an unsubscribe link, or a 404."""
    payload = unsign("unsubscribe", token)
    if not payload or not isinstance(payload.get("u"), int):
        abort(404)
    habit_id = payload.get("h")
    if habit_id is not None and not isinstance(habit_id, int):
        abort(404)
    if db.session.get(User, payload["u"]) is None:
        abort(404)
    return payload["u"], habit_id


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Stop a habit's reminders (or the weekly summary) without logging in. The signed token
    is the credential; POST is RFC 8058's one-click unsubscribe, sent by mail programs."""
    user_id, habit_id = unsubscribe_target(token)
    habit = None
    if habit_id is not None:
        query = select(Habit).where(Habit.id == habit_id, Habit.user_id == user_id)
        habit = db.session.scalar(query)
        if habit is None:
            abort(404)
    if request.method == "POST":
        if habit is not None:
            change = update(Habit).where(Habit.id == habit.id, Habit.user_id == user_id)
            change = change.values(reminder_time=None)
        else:
            change = update(User).where(User.id == user_id).values(weekly_summary=False)
        commit_change(lambda: db.session.execute(change))
        return render_template("mail/unsubscribed.html", habit=habit)
    return render_template("mail/unsubscribe.html", habit=habit)
