"""Export and import of the account's data on the settings page."""

from datetime import UTC, datetime

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from ..changes import commit_change
from ..errors import render_error
from ..extensions import limiter
from ..portability import (
    IMPORT_RUNNING,
    MAX_IMPORT_BYTES,
    ImportRejected,
    export_data,
    import_slot,
)
from ..portability.previews import save_preview, summarise
from ..portability.sources import read_source, source_of
from . import bp
from .forms import ImportForm

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
TOO_MANY_IMPORTS = "You have imported many files this hour; wait a while, then try again."
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


def import_limit_key() -> str:
    """Imports are counted per account (every worker and instance shares the limiter's storage);
    the login check comes after the limiter, so a logged-out post counts by its address."""
    if current_user.is_authenticated:
        return f"import:user:{current_user.id}"
    return f"import:ip:{get_remote_address()}"


@bp.route("/import", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["IMPORT_RATE_LIMIT"],
    key_func=import_limit_key,
    exempt_when=lambda: not current_app.config["IMPORT_RATE_LIMIT_ENABLED"],
    error_message=TOO_MANY_IMPORTS,
)
def import_data():
    """Read and check an uploaded file of any supported format and keep it for its preview;
    a file that breaks a rule is refused here, listing every problem. One at a time per
    account."""
    form = ImportForm()
    if not form.validate_on_submit():
        return rejected([error for errors in form.errors.values() for error in errors])
    upload = form.file.data
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return rejected([TOO_LARGE], 413)
    limit = current_app.config["IMPORT_MAX_ROWS"]
    try:
        with import_slot(current_user.id):
            conversion = read_source(data, source_of(data, upload.filename), limit)

            def keep():
                summarise(current_user, conversion)
                return save_preview(current_user, upload.filename or "", data, conversion).id

            preview_id = commit_change(keep)
    except ImportRejected as error:
        status = 409 if error.errors == [IMPORT_RUNNING] else 400
        return rejected(
            [f"{upload.filename or 'The file'} was not imported; nothing changed.", *error.errors],
            status,
        )
    return redirect(url_for("settings.import_preview", preview_id=preview_id))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """An import over the server's limit gets the same answer as a file over 5 MB; any other
    settings form gets the site's 413 page."""
    if request.endpoint != "settings.import_data" or not current_user.is_authenticated:
        return render_error(413, error.description)
    return rejected([TOO_LARGE], 413)


@bp.errorhandler(TooManyRequests)
def too_many_imports(error):
    """Over the hourly import limit: the settings page with the reason next to the form."""
    if request.endpoint != "settings.import_data" or not current_user.is_authenticated:
        return render_error(429, error.description)
    return rejected([error.description], 429)
