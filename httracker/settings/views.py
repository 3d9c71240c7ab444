"""The settings page itself, and the login every settings page needs."""

from flask import render_template
from flask_login import login_required

from . import bp


@bp.before_request
@login_required
def require_login():
    """Every settings page belongs to a logged-in user."""


@bp.route("/")
def index():
    return render_template("settings/index.html")
