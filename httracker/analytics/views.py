"""Analytics pages."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


@bp.before_request
@login_required
def require_login():
    """Every analytics page belongs to a logged-in user."""


@bp.route("/")
def overview():
    return render_template("analytics/overview.html")
