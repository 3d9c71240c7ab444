"""Email: an outbox written in the transaction of each change, delivered by `flask mail
deliver`; password reset, confirmed addresses, reminders and the weekly summary. Every part is
off (its routes answer 404, its fields are hidden) unless MAIL_SERVER is set."""

from flask import Blueprint, current_app

bp = Blueprint("mail", __name__)


def mail_enabled() -> bool:
    """Whether the site sends mail (MAIL_SERVER is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


@bp.app_context_processor
def mail_context() -> dict:
    """Templates show email features only when the site sends mail."""
    return {"mail_enabled": mail_enabled()}


from . import views  # noqa: E402,F401  (routes register on bp)
