"""Writing mail: render a template pair into an outbox row, in the caller's transaction."""

import json

from flask import render_template

from ..extensions import db
from ..models import EmailOutbox, User
from . import clock

SUBJECTS = {
    "reset_link": "Reset your HT-Tracker password",
    "reset_done": "Your HT-Tracker password was changed",
    "confirm_address": "Confirm your email address for HT-Tracker",
    "confirm_change": "Confirm your new email address for HT-Tracker",
    "email_changed": "Your HT-Tracker email address was changed",
    "signup_attempt": "Someone tried to sign up to HT-Tracker with your address",
    "change_attempt": "Someone asked for your address on another HT-Tracker account",
    "reminder": "Reminder: {habit_name}",
    "weekly_summary": "Your week in HT-Tracker",
}


def one_line(text: str) -> str:
    """`text` with every run of whitespace, line breaks included, turned into one space: a
    header such as the subject cannot hold a line break (it would make the message unsendable,
    or inject headers)."""
    return " ".join(text.split())


def enqueue(
    user: User,
    kind: str,
    *,
    to: str | None = None,
    headers: dict | None = None,
    **context,
) -> EmailOutbox:
    """Render templates/mail/<kind>.txt and .html for `user` and add the message to the outbox
    (flushed, not committed: it goes out only if the change that caused it commits)."""
    subject = one_line(SUBJECTS[kind].format(**context))
    context.update(user=user, subject=subject)
    now = clock.now()
    row = EmailOutbox(
        user_id=user.id,
        kind=kind,
        to_address=to or user.email,
        subject=subject[:200],
        text_body=render_template(f"mail/{kind}.txt", **context),
        html_body=render_template(f"mail/{kind}.html", **context),
        headers=json.dumps(headers or {}, sort_keys=True),
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row
