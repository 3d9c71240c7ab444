"""Register, log in, log out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..extensions import db, login_manager
from ..models import User
from ..security import safe_next
from .forms import LoginForm, RegisterForm
from .services import authenticate, create_user

bp = Blueprint("auth", __name__, url_prefix="/auth")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@login_manager.unauthorized_handler
def unauthorized():
    flash("Please log in to see that page.", "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


@bp.route("/register", methods=["GET", "POST"])
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
            session.clear()
            login_user(user)
            flash(f"Welcome to HT-Tracker, {user.username}!", "success")
            return redirect(url_for("habits.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is not None:
            db.session.commit()  # keeps a re-hashed password
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(f"Logged in as {user.username}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("habits.dashboard")))
        form.password.errors.append("Unknown username or email, or wrong password.")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    # CSRFProtect has checked the token. Clear first: logout_user then marks the remember
    # cookie for deletion in the fresh session.
    session.clear()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
