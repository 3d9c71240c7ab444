"""Dashboard and habit pages."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..analytics.panels import dashboard_panel

bp = Blueprint("habits", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template("habits/dashboard.html", analytics=dashboard_panel(current_user))


@bp.route("/habits/")
@login_required
def list_habits():
    return render_template("habits/list.html")


@bp.route("/logs/")
@login_required
def list_logs():
    return render_template("habits/logs.html")
