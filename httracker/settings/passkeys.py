"""Passkeys on the settings page: add one (the browser ceremony is static/app.js), see when
each was made and last used, delete one. Adding and deleting need the current password: a
passkey is a factor, and deleting the last one turns the second step off."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..auth import passkeys
from ..auth.challenges import current_challenge, end_challenge, start_challenge
from ..auth.passkey_views import json_error
from ..changes import RuleBroken, commit, commit_change
from ..forms import AppForm
from . import bp
from .account import invalid, reauthenticate
from .twofactor import current_password_field


class AddPasskeyForm(AppForm):
    current_password = current_password_field("passkey-add")


class DeletePasskeyForm(AppForm):
    current_password = current_password_field("passkey-delete")


def delete_form(passkey_id: int, **kwargs) -> DeletePasskeyForm:
    form = DeletePasskeyForm(**kwargs)
    # One form per passkey on the page: ids stay unique.
    field = form.current_password
    field.id = field.label.field_id = f"passkey-{passkey_id}-current_password"
    return form


def delete_forms(rows, failed: DeletePasskeyForm | None = None, failed_id: int | None = None):
    """An empty delete form for each passkey; the one that failed keeps its errors."""
    forms = {row.id: delete_form(row.id, formdata=None) for row in rows}
    if failed is not None:
        forms[failed_id] = failed
    return forms


@bp.context_processor
def passkey_list():
    if not current_user.is_authenticated:
        return {}
    rows = passkeys.user_passkeys(current_user)
    return {
        "passkeys": rows,
        "passkey_delete_forms": delete_forms(rows),
        "add_passkey_form": AddPasskeyForm(formdata=None),
    }


@bp.route("/passkeys/options", methods=["POST"])
def passkey_options():
    # The password is asked before the ceremony starts: the challenge that `add_passkey`
    # needs exists only once it has been given.
    data = request.get_json(silent=True)
    password = data.get("current_password") if isinstance(data, dict) else None
    typed = {"current_password": password} if isinstance(password, str) else {}
    form = AddPasskeyForm(formdata=MultiDict(typed))
    if not (form.validate() and reauthenticate(form)):
        return json_error(" ".join(form.current_password.errors) or "Enter your current password.")
    options, challenge = passkeys.registration_options(current_user)
    start_challenge("passkey-add", current_user, challenge=challenge)
    commit()
    return options, 200, {"Content-Type": "application/json"}


@bp.route("/passkeys", methods=["POST"])
def add_passkey():
    row = current_challenge("passkey-add")
    if row is None or row.user_id != current_user.id or not row.challenge:
        return json_error("That took too long; please try again.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error("Send the passkey as JSON.")
    challenge = row.challenge
    end_challenge(row)

    def add():
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        return passkeys.register_passkey(current_user, name, data.get("credential"), challenge)

    try:
        passkey = commit_change(add)
    except RuleBroken as error:
        commit()  # the challenge is spent either way
        return json_error(error.message)
    flash(f"Passkey “{passkey.name}” added.", "success")
    return {"redirect": url_for("settings.index")}


@bp.route("/passkeys/<int:passkey_id>/delete", methods=["POST"])
def delete_passkey(passkey_id: int):
    passkey = passkeys.user_passkey(current_user, passkey_id)
    if passkey is None:
        abort(404)
    form = delete_form(passkey_id)
    if not (form.validate_on_submit() and reauthenticate(form)):
        rows = passkeys.user_passkeys(current_user)
        return invalid(passkey_delete_forms=delete_forms(rows, form, passkey_id))
    if not commit_change(lambda: passkeys.delete_passkey(current_user, passkey_id)):
        abort(404)
    flash("Passkey deleted.", "info")
    return redirect(url_for("settings.index"))
