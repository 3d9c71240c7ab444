"""Analytics pages: /analytics/ for people, /analytics/data.json for scripts."""

from flask import abort, jsonify, render_template, request
from flask_login import current_user, login_required

from ..pagecache import cached_page
from . import bp, panels, report
from .params import PRESETS, RANGE_CHOICES, Params, RangeError, parse
from .results import Overview


@bp.before_request
@login_required
def require_login():
    """Every analytics page belongs to a logged-in user."""


def _params():
    try:
        return parse(request.args)
    except RangeError as error:
        abort(400, str(error))


def _overview(params: Params) -> Overview:
    """The report for the logged-in user as of one today."""
    return report.overview_for(current_user, params, report.today_for(current_user))


@bp.route("/")
@cached_page()
def overview():
    """Totals, per-habit and per-category tables, and charts for the chosen range."""
    # A range that cannot be shown is a form error on the page, over the default range.
    range_error, status = None, 200
    try:
        params = parse(request.args)
    except RangeError as error:
        range_error, status = str(error), 400
        params = parse({})
    data = _overview(params)
    page = render_template(
        "analytics/overview.html",
        data=data,
        params=params,
        presets=RANGE_CHOICES,
        preset_days=PRESETS,
        charts=panels.overview_charts(current_user, data),
        range_error=range_error,
        asked={
            name: request.args.get(name, "")[:10] if range_error else ""
            for name in ("start", "end")
        },
    )
    return page, status


@bp.route("/data.json")
@cached_page()
def data_json():
    """The same numbers as /analytics/, as JSON (schema in the README)."""
    return jsonify(_overview(_params()).to_json())
