"""The account's logged-in devices, and ending them."""

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from ..auth.sessions import active_sessions, describe_agent, revoke_session, revoke_sessions
from ..changes import commit_change
from . import bp


@bp.route("/sessions")
def sessions():
    rows = active_sessions(current_user)
    return render_template(
        "settings/sessions.html",
        sessions=rows,
        current_id=current_user.session_id,
        describe_agent=describe_agent,
    )


@bp.route("/sessions/<int:session_id>/revoke", methods=["POST"])
def revoke(session_id: int):
    if not commit_change(lambda: revoke_session(current_user, session_id)):
        abort(404)  # someone else's session looks exactly like a missing one
    if session_id == current_user.session_id:
        session.clear()
        logout_user()
        flash("This device has been logged out.", "info")
        return redirect(url_for("auth.login"))
    flash("That device has been logged out.", "success")
    return redirect(url_for("settings.sessions"))


@bp.route("/sessions/revoke-others", methods=["POST"])
def revoke_others():
    ended = commit_change(
        lambda: revoke_sessions(current_user, except_session=current_user.session_id)
    )
    flash(f"Logged out {ended} other device{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("settings.sessions"))
