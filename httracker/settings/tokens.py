"""Personal access tokens for the API: make one (shown once), see them, revoke them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.tokens import create_token, revoke_token, tokens_of
from ..changes import commit_change
from ..extensions import db
from . import bp
from .forms import TokenForm


def tokens_page(form: TokenForm, secret: str | None = None, status: int = 200):
    """The user's tokens and the form that makes one; `secret` is a token just made."""
    return render_template(
        "settings/tokens.html",
        form=form,
        tokens=list(db.session.scalars(tokens_of(current_user))),
        secret=secret,
    ), status


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """List the tokens (GET) or make one (POST), showing its secret this once."""
    form = TokenForm()
    if form.validate_on_submit():
        made = commit_change(
            lambda: create_token(current_user, form.name.data, form.scope.data, form.expiry()),
            form,
        )
        if made is not None:
            # The page, not a redirect: the secret must never sit in a cookie or a URL.
            return tokens_page(TokenForm(formdata=None), made.secret)
    return tokens_page(form, status=400 if form.is_submitted() else 200)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_api_token(token_id: int):
    """Revoke one of the user's tokens: the next request made with it gets a 401."""
    if not commit_change(lambda: revoke_token(current_user, token_id)):
        abort(404)  # someone else's token looks exactly like a missing one
    flash("The token has been revoked.", "success")
    return redirect(url_for("settings.tokens"))
