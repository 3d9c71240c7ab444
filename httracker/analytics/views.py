"""Analytics pages: /analytics/ for people, /analytics/data.json for scripts."""

from datetime import date

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from . import panels, report
from .params import PRESETS, RANGE_CHOICES, RangeError, parse

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


@bp.before_request
@login_required
def require_login():
    """Every analytics page belongs to a logged-in user."""


def _params():
    try:
        return parse(request.args)
    except RangeError as error:
        abort(400, str(error))


@bp.route("/")
def overview():
    """Totals, per-habit and per-category tables, and charts for the chosen range."""
    params = _params()
    data = report.overview(current_user, params)
    return render_template(
        "analytics/overview.html",
        data=data,
        params=params,
        presets=RANGE_CHOICES,
        preset_days=PRESETS,
        charts=panels.overview_charts(current_user, data),
    )


@bp.route("/data.json")
def data_json():
    """The same numbers as /analytics/, as JSON (schema in the README)."""
    data = report.overview(current_user, _params())
    for private in ("heatmap", "today", "choices"):
        data.pop(private)
    return jsonify(_iso_dates(data))


def _iso_dates(value):
    """Dates as YYYY-MM-DD (Flask would otherwise write HTTP dates)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    return value
