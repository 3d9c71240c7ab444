"""An uploaded file's preview, then its import or its cancellation. The upload itself
(`settings.import_data`) reads and checks the file and keeps it as a preview; nothing reaches
the account before the confirmation here."""

from typing import NamedTuple

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..changes import commit_change
from ..extensions import db
from ..portability import IMPORT_RUNNING, ImportRejected, import_slot
from ..portability.previews import (
    PREVIEW_LIFETIME,
    cancel_preview,
    confirm_preview,
    conversion_of,
    get_preview_or_404,
    summarise,
)
from ..portability.timesheets import MAPPINGS
from . import bp
from .forms import ImportMappingForm


class PreviewHeading(NamedTuple):
    id: int
    filename: str


def preview_page(preview, errors: list[str] | None = None, form=None, status: int = 200):
    """What confirming the preview would add, checked against the account as it is now."""
    summary = None
    errors = list(errors or [])
    shown = PreviewHeading(preview.id, preview.filename)  # read before the rollback below
    try:
        summary = summarise(
            current_user, conversion_of(preview, current_app.config["IMPORT_MAX_ROWS"])
        )
    except ImportRejected as error:
        errors += error.errors
        status = max(status, 400)
    finally:
        db.session.rollback()  # the check's lock; the preview writes nothing
    if form is None and summary is not None and summary.mappings:
        form = ImportMappingForm(formdata=None, mapping=summary.mapping)
    if form is not None and summary is not None:
        form.mapping.choices = list(summary.mappings)
    return render_template(
        "settings/import_preview.html",
        preview=shown,
        summary=summary,
        errors=errors,
        form=form,
        lifetime_minutes=int(PREVIEW_LIFETIME.total_seconds() // 60),
    ), status


@bp.route("/import/<int:preview_id>")
def import_preview(preview_id: int):
    """The preview of an uploaded file: habits to create or match, entries, days, notes."""
    return preview_page(get_preview_or_404(current_user, preview_id))


@bp.route("/import/<int:preview_id>/mapping", methods=["POST"])
def import_mapping(preview_id: int):
    """Choose how a time tracker's entries become habits (project, or project and
    description); the preview is shown again with the new choice."""
    preview = get_preview_or_404(current_user, preview_id)
    form = ImportMappingForm()
    form.mapping.choices = list(MAPPINGS)
    if preview.source not in ("toggl", "clockify") or not form.validate_on_submit():
        return preview_page(preview, form=form, status=400)
    preview.mapping = form.mapping.data
    commit_change(lambda: None)
    return redirect(url_for("settings.import_preview", preview_id=preview_id))


@bp.route("/import/<int:preview_id>/confirm", methods=["POST"])
def import_confirm(preview_id: int):
    """Import the previewed file in one transaction, all or nothing."""
    preview = get_preview_or_404(current_user, preview_id)
    try:
        with import_slot(current_user.id):
            result = commit_change(
                lambda: confirm_preview(
                    current_user, preview, current_app.config["IMPORT_MAX_ROWS"]
                )
            )
    except ImportRejected as error:
        status = 409 if error.errors == [IMPORT_RUNNING] else 400
        preview = get_preview_or_404(current_user, preview_id)
        message = f"{preview.filename} was not imported; nothing changed."
        return preview_page(preview, [message, *error.errors], status=status)
    flash(result.summary(), "success")
    return redirect(url_for("settings.index"))


@bp.route("/import/<int:preview_id>/cancel", methods=["POST"])
def import_cancel(preview_id: int):
    """Drop the preview; nothing was imported."""
    preview = get_preview_or_404(current_user, preview_id)
    name = preview.filename
    commit_change(lambda: cancel_preview(preview))
    flash(f"Import of {name} cancelled; nothing changed.", "info")
    return redirect(url_for("settings.index"))
