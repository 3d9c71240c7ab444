"""Register, log in, log out."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..audit import audit
from ..changes import commit, commit_change
from ..extensions import db, limiter, login_manager
from ..models import User, utcnow
from ..security import safe_next
from . import bp
from .forms import LoginForm, RegisterForm
from .lockout import clear_failures, locked_until, record_failure
from .services import check_credentials, open_account
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
    the browser session before the login is carried over."""
    session.clear()
    login_user(user, remember=remember)
    audit("login.success", user.id, remember=remember)


def register_user(form: RegisterForm) -> User:
    """The new account with its first device session (added and flushed)."""
    user = open_account(form.username.data, form.email.data, form.password.data)
    user.timezone = form.timezone.data  # one of the offered zones (the form checked it)
    start_session(user, remember=False)
    return user


@bp.route("/register", methods=["GET", "POST"])
@throttle
def register():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        # RuleBroken (shown on the form) when another request took the name after our check.
        user = commit_change(lambda: register_user(form), form)
        if user is not None:
            log_in(user, remember=False)
            flash(f"Welcome to HT-Tracker, {user.username}!", "success")
            return redirect(url_for("habits.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@throttle
def login():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user, correct = check_credentials(form.login.data, form.password.data)
        if correct:
            until = locked_until(user)
            if until is not None:
                # Only someone who knows the password learns that the account is locked.
                db.session.rollback()
                audit("login.locked", user.id)
                page = render_template("auth/locked.html", until=until)
                seconds = max(1, int((until - utcnow()).total_seconds()))
                return page, 429, {"Retry-After": str(seconds)}
            clear_failures(user)
            start_session(user, remember=form.remember.data)
            commit()
            log_in(user, remember=form.remember.data)
            flash(f"Logged in as {user.username}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("habits.dashboard")))
        if user is not None:
            record_failure(user)
            commit()
        else:
            audit("login.failure", None)
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
