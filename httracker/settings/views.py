"""Account settings pages."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.before_request
@login_required
def require_login():
    """Every settings page belongs to a logged-in user."""


@bp.route("/")
def index():
    return render_template("settings/index.html")
