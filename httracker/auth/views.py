"""Register, log in, log out."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..audit import audit
from ..changes import commit, commit_change
from ..extensions import db, limiter, login_manager

# The module, not the name: mail.accounts imports auth's services, so either may load first.
from ..mail import accounts as mail_accounts
from ..mail import mail_enabled
from ..models import User
from ..security import safe_next
from . import bp
from .attempts import attempt_login, needs_second_factor
from .challenges import start_challenge
from .devices import give_device_cookie
from .forms import LoginForm, RegisterForm
from .invites import redeem_invite, registration_policy
from .lockout import Subject, clear_failures, retry_after
from .services import open_account
from .sessions import end_session, load_session_user, start_session

LOGIN_FAILED = "Unknown username or email, or wrong password."


def auth_rate_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def rate_limit_off() -> bool:
    return not current_app.config["AUTH_RATE_LIMIT_ENABLED"]


# Per client IP, on the POSTs only: reading the forms costs nothing worth limiting.
throttle = limiter.limit(
    auth_rate_limit,
    methods=["POST"],
    exempt_when=rate_limit_off,
    error_message="Too many attempts from your network. Please wait a minute and try again.",
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Flask-Login's id is a device-session token (see sessions.py), not the user's id."""
    return load_session_user(token)


# Endpoints read by scripts rather than people: a missing login is a 401, not a redirect.
API_ENDPOINTS = {"analytics.data_json"}


@login_manager.unauthorized_handler
def unauthorized():
    if request.endpoint in API_ENDPOINTS:
        # Scripts get a status they can act on, not a login page.
        return {"error": "Unauthorized", "description": "Log in first."}, 401
    flash("Please log in to see that page.", "info")
    if request.method not in ("GET", "HEAD"):
        # A form posted from an expired session: the login page, then the dashboard.
        return redirect(url_for("auth.login"))
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def log_in(user: User, remember: bool) -> None:
    """Log `user` in through the device session the request has just committed: nothing from
    the browser session before the login is carried over. The browser gets a new device
    cookie for the account."""
    session.clear()
    login_user(user, remember=remember)
    give_device_cookie(user)
    audit("login.success", user.id, remember=remember)


def complete_login(user: User, subject: Subject | None, remember: bool) -> None:
    """Every factor has passed: forget the subject's failures (a passwordless passkey login
    has none to forget), start the device session, commit and log in."""
    if subject is not None:
        clear_failures(subject)
    start_session(user, remember=remember)
    commit()
    log_in(user, remember=remember)
    flash(f"Logged in as {user.username}.", "success")


def finish_login(user: User, subject: Subject | None, remember: bool, next_page: str):
    """`complete_login`, then on to `next_page`."""
    complete_login(user, subject, remember)
    return redirect(next_page)


def begin_second_step(attempt, remember: bool, next_page: str):
    """The password was right and the account has a second factor: keep the state on the
    server and ask for the code."""
    session.clear()
    start_challenge("login", attempt.user, attempt.subject.device, remember)
    session["next"] = next_page
    commit()
    return redirect(url_for("auth.second_step"))


def locked_page(until, trusted: bool):
    """The one answer to every attempt on a locked subject: it depends on nothing but the
    lock (no password was checked), so it tells nothing about the password or the name."""
    page = render_template("auth/locked.html", until=until, trusted=trusted)
    return page, 429, retry_after(until)


def register_user(form: RegisterForm) -> User:
    """The new account with its first device session (added and flushed); with
    REGISTRATION=invite the invitation is spent in the same transaction."""
    user = open_account(form.username.data, form.email.data, form.password.data)
    user.timezone = form.timezone.data  # one of the offered zones (the form checked it)
    if registration_policy() == "invite":
        redeem_invite(form.invite.data, user)
    start_session(user, remember=False)
    return user


def register_user_by_mail(form: RegisterForm) -> str:
    """Registration when the site sends mail (`mail.accounts.register_by_mail`): the address
    mailed; with REGISTRATION=invite the invitation is spent in the same transaction."""
    mailed, user = mail_accounts.register_by_mail(
        form.username.data, form.email.data, form.password.data
    )
    if user is not None:
        user.timezone = form.timezone.data
    if registration_policy() == "invite":
        redeem_invite(form.invite.data, user)
    return mailed


@bp.route("/register", methods=["GET", "POST"])
@throttle
def register():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    policy = registration_policy()
    if policy == "closed":
        return render_template("auth/register_closed.html"), 403
    form = RegisterForm()
    valid = form.validate_on_submit()
    if valid and mail_enabled():
        # Same page whether or not the address has an account: no one learns which addresses do.
        mailed = commit_change(lambda: register_user_by_mail(form), form)
        if mailed is not None:
            return render_template("mail/check_email.html", email=mailed)
    elif valid:
        # RuleBroken (shown on the form) when another request took the name after our check.
        user = commit_change(lambda: register_user(form), form)
        if user is not None:
            log_in(user, remember=False)
            flash(f"Welcome to HT-Tracker, {user.username}!", "success")
            return redirect(url_for("habits.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form, policy=policy), status


@bp.route("/login", methods=["GET", "POST"])
@throttle
def login():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = attempt_login(form.login.data, form.password.data)
        if attempt.until is not None:
            db.session.rollback()
            return locked_page(attempt.until, trusted=attempt.subject.device is not None)
        if attempt.ok:
            next_page = safe_next(request.args.get("next"), url_for("habits.dashboard"))
            if needs_second_factor(attempt.user):
                return begin_second_step(attempt, form.remember.data, next_page)
            return finish_login(attempt.user, attempt.subject, form.remember.data, next_page)
        commit()
        form.password.errors.append(LOGIN_FAILED)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    # CSRFProtect has checked the token. The session row goes first, so a copy of the cookie
    # (or of the remember-me cookie) is worthless from now on.
    if current_user.is_authenticated:
        end_session(current_user)
        commit()
        audit("logout", current_user.id)
    # Clear first: logout_user then marks the remember cookie for deletion in the fresh session.
    session.clear()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
