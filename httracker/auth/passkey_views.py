"""Passkey logins, driven by the site's own script (static/app.js): JSON in and out.

Passwordless: `/auth/passkey/options` then `/auth/passkey`. As the second factor after a
password: `/auth/login/passkey/options` then `/auth/login/passkey`, on the login's challenge.
A passwordless passkey login is not held back by the lockout of untrusted clients: nobody
guesses a passkey, and it is how the owner gets in while someone else keeps that lock on."""

from flask import request, session, url_for

from ..changes import commit
from ..extensions import db
from ..models import User
from ..security import safe_next
from . import bp
from .challenges import current_challenge, end_challenge, start_challenge
from .devices import trusted_device
from .lockout import Subject, locked_until, record_failure
from .passkeys import authenticate, authentication_options
from .views import complete_login, throttle

FAILED = "The passkey was not accepted. Please try again, or log in with your password."


def json_error(message: str, status: int = 400):
    return {"error": message}, status


def options_response(options: str):
    return options, 200, {"Content-Type": "application/json"}


@bp.route("/passkey/options", methods=["POST"])
@throttle
def passkey_options():
    options, challenge = authentication_options(None)
    start_challenge("passkey", challenge=challenge)
    commit()
    return options_response(options)


@bp.route("/passkey", methods=["POST"])
@throttle
def passkey_login():
    row = current_challenge("passkey")
    if row is None or not row.challenge:
        return json_error("That sign-in took too long; please try again.")
    challenge = row.challenge
    end_challenge(row)  # one assertion per challenge, right or wrong
    passkey = authenticate(request.get_json(silent=True), challenge)
    user = db.session.get(User, passkey.user_id) if passkey else None
    if user is None:
        commit()
        return json_error(FAILED)
    next_page = safe_next(request.args.get("next"), url_for("habits.dashboard"))
    complete_login(user, None, remember=False)
    return {"redirect": next_page}


def login_in_progress():
    """The login challenge of this browser (password given) and its user, or (None, None)."""
    row = current_challenge("login")
    user = db.session.get(User, row.user_id) if row is not None else None
    return (row, user) if user is not None else (None, None)


@bp.route("/login/passkey/options", methods=["POST"])
@throttle
def second_step_passkey_options():
    row, user = login_in_progress()
    if row is None:
        return json_error("That login took too long; please log in again.")
    options, row.challenge = authentication_options(user)
    commit()
    return options_response(options)


@bp.route("/login/passkey", methods=["POST"])
@throttle
def second_step_passkey():
    row, user = login_in_progress()
    if row is None or not row.challenge:
        return json_error("That login took too long; please log in again.")
    device = trusted_device(user)
    subject = Subject(user.id, device if device == row.device else None)
    until = locked_until(subject)
    if until is not None:
        db.session.rollback()
        return json_error(f"Too many attempts; try again after {until:%H:%M} UTC.", 429)
    challenge, row.challenge = row.challenge, None  # one assertion per challenge
    if authenticate(request.get_json(silent=True), challenge, user) is None:
        record_failure(subject)
        commit()
        return json_error(FAILED)
    next_page = safe_next(session.get("next"), url_for("habits.dashboard"))
    remember = row.remember
    end_challenge(row)
    complete_login(user, subject, remember)
    return {"redirect": next_page}
