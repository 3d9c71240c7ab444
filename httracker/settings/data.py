"""Export and import of the account's data on the settings page."""

from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..changes import commit_change
from ..errors import render_error
from ..portability import MAX_IMPORT_BYTES, ImportRejected, export_data, format_of, import_file
from . import bp
from .forms import ImportForm

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
TOO_LARGE = (
    f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
    "split it and import the parts."
)


def download(fmt: str) -> Response:
    """The current user's data as a file to save."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    filename = f"httracker-{current_user.username}-{stamp}.{fmt}"
    return Response(
        export_data(current_user, fmt),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/export.csv")
def export_csv():
    """Download every habit and log as CSV."""
    return download("csv")


@bp.route("/export.json")
def export_json():
    """Download every habit and log as JSON."""
    return download("json")


def rejected(errors: list[str], status: int = 400):
    """The settings page again, with the reasons the file was refused next to the form."""
    return render_template("settings/index.html", import_errors=errors), status


@bp.route("/import", methods=["POST"])
def import_data():
    """Import an uploaded CSV or JSON file, all or nothing."""
    form = ImportForm()
    if not form.validate_on_submit():
        return rejected([error for errors in form.errors.values() for error in errors])
    upload = form.file.data
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return rejected([TOO_LARGE], 413)
    try:
        result = commit_change(
            lambda: import_file(current_user, data, format_of(upload.filename, data))
        )
    except ImportRejected as error:
        return rejected(
            [f"{upload.filename or 'The file'} was not imported; nothing changed.", *error.errors]
        )
    flash(result.summary(), "success")
    return redirect(url_for("settings.index"))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """An import over the server's limit gets the same answer as a file over 5 MB; any other
    settings form gets the site's 413 page."""
    if request.endpoint != "settings.import_data" or not current_user.is_authenticated:
        return render_error(413, error.description)
    return rejected([TOO_LARGE], 413)
