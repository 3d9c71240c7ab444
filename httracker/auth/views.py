"""Register, log in, log out."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..extensions import db, limiter, login_manager
from ..models import User, utcnow
from ..security import safe_next
from .forms import LoginForm, RegisterForm
from .lockout import clear_failures, locked_until, record_failure
from .services import check_credentials, create_user
from .sessions import end_session, load_session_user, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")
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
    """Start a fresh session for `user`: nothing from before the login is carried over."""
    session.clear()
    start_session(user, remember=remember)
    db.session.commit()
    login_user(user, remember=remember)
    audit("login.success", user.id, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@throttle
def register():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.email.data, form.password.data)
            db.session.commit()
        except IntegrityError:
            # Another request took the name between our check and the insert.
            db.session.rollback()
            form.username.errors.append("That username or email is taken.")
        else:
            audit("account.created", user.id)
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
            log_in(user, remember=form.remember.data)
            flash(f"Logged in as {user.username}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("habits.dashboard")))
        if user is not None:
            record_failure(user)
            db.session.commit()
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
        db.session.commit()
        audit("logout", current_user.id)
    # Clear first: logout_user then marks the remember cookie for deletion in the fresh session.
    session.clear()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
