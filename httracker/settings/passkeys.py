"""Passkeys on the settings page: add one (the browser ceremony is static/app.js), see when
each was made and last used, delete one."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..auth import passkeys
from ..auth.challenges import current_challenge, end_challenge, start_challenge
from ..changes import RuleBroken, commit, commit_change
from . import bp


@bp.context_processor
def passkey_list():
    if not current_user.is_authenticated:
        return {}
    return {"passkeys": passkeys.user_passkeys(current_user)}


@bp.route("/passkeys/options", methods=["POST"])
def passkey_options():
    options, challenge = passkeys.registration_options(current_user)
    start_challenge("passkey-add", current_user, challenge=challenge)
    commit()
    return options, 200, {"Content-Type": "application/json"}


@bp.route("/passkeys", methods=["POST"])
def add_passkey():
    row = current_challenge("passkey-add")
    if row is None or row.user_id != current_user.id or not row.challenge:
        return {"error": "That took too long; please try again."}, 400
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"error": "Send the passkey as JSON."}, 400
    challenge = row.challenge
    end_challenge(row)

    def add():
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        return passkeys.register_passkey(current_user, name, data.get("credential"), challenge)

    try:
        passkey = commit_change(add)
    except RuleBroken as error:
        commit()  # the challenge is spent either way
        return {"error": error.message}, 400
    flash(f"Passkey “{passkey.name}” added.", "success")
    return {"redirect": url_for("settings.index")}


@bp.route("/passkeys/<int:passkey_id>/delete", methods=["POST"])
def delete_passkey(passkey_id: int):
    if not commit_change(lambda: passkeys.delete_passkey(current_user, passkey_id)):
        abort(404)
    flash("Passkey deleted.", "info")
    return redirect(url_for("settings.index"))
