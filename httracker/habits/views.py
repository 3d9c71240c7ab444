"""Dashboard and habit pages."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("habits", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template("habits/dashboard.html")
