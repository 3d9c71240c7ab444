"""Sending the outbox: oldest due message first, retried with growing pauses when the SMTP
server fails, given up after a day (with a log line), and pruned 30 days after sending."""

import json
import logging
import smtplib
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import SQLAlchemyError

from ..changes import commit
from ..extensions import db, mail
from ..models import EmailOutbox
from . import clock

logger = logging.getLogger("httracker.mail")
FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=1)
KEEP_FOR = timedelta(days=30)
BATCH = 200
SMTP_ERRORS = (smtplib.SMTPException, OSError)


@dataclass
class DeliveryReport:
    """What one round of delivery did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    pruned: int = 0


def retry_pause(attempts: int) -> timedelta:
    """The pause before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most
    an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_PAUSE)


def open_connection():
    """An open SMTP connection with the current settings (raises when the server is away)."""
    config = current_app.config
    connection = mail.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=config.get("MAIL_USE_TLS", False),
        use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config.get("MAIL_TIMEOUT"),
    )
    connection.open()
    return connection


def close(connection) -> None:
    if connection is None:
        return
    # A connection that already broke has nothing left to close.
    with suppress(*SMTP_ERRORS):
        connection.close()


def send(connection, row: EmailOutbox) -> None:
    """Send one outbox row as a text message with an HTML alternative."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[row.to_address],
        headers=json.loads(row.headers or "{}"),
        connection=connection,
    )
    message.attach_alternative(row.html_body, "text/html")
    if message.send() != 1:
        raise smtplib.SMTPException("the server accepted no message")


def next_due(now):
    """The oldest message due now, locked so a second worker skips it (PostgreSQL, MariaDB)."""
    query = (
        select(EmailOutbox)
        .where(EmailOutbox.status == "pending", EmailOutbox.next_attempt_at <= now)
        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(query).first()


def record_failure(row: EmailOutbox, error: Exception, now, report: DeliveryReport) -> None:
    """Count a failed try: retry later, or give up on a message older than a day."""
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:255]
    if now - row.created_at >= GIVE_UP_AFTER:
        row.status = "failed"
        report.given_up += 1
        logger.warning(
            "Giving up on mail %s (%s) to user %s after %s tries: %s",
            row.id,
            row.kind,
            row.user_id,
            row.attempts,
            row.last_error,
        )
    else:
        row.next_attempt_at = now + retry_pause(row.attempts)
        report.retrying += 1


def deliver(limit: int = BATCH) -> DeliveryReport:
    """Send what is due (each message committed on its own, so nothing sent is sent twice by a
    later failure), then prune old rows."""
    report = DeliveryReport()
    connection = None
    server_failures = 0
    try:
        for _ in range(limit):
            now = clock.now()
            row = next_due(now)
            if row is None:
                break
            try:
                connection = connection or open_connection()
                send(connection, row)
            except SQLAlchemyError:
                raise  # the database's trouble is the round's, not this message's
            except Exception as error:
                # Anything else (a header with a line break, say) is this message's failure, not
                # the server's: it is retried and given up like the others, and the messages
                # behind it still go.
                if not isinstance(error, SMTP_ERRORS):
                    logger.exception("Mail %s (%s) could not be sent", row.id, row.kind)
                close(connection)
                connection = None
                record_failure(row, error, now, report)
                commit()
                server_failures += isinstance(error, SMTP_ERRORS)
                if server_failures >= 3 and not report.sent:
                    break  # the server is away: the rest waits for the next round
                continue
            row.status, row.sent_at = "sent", now
            report.sent += 1
            commit()
    finally:
        close(connection)
    report.pruned = prune()
    return report


def prune() -> int:
    """Delete messages sent or given up more than 30 days ago; how many."""
    cutoff = clock.now() - KEEP_FOR
    result = db.session.execute(
        delete(EmailOutbox).where(
            or_(
                and_(EmailOutbox.status == "sent", EmailOutbox.sent_at < cutoff),
                and_(EmailOutbox.status == "failed", EmailOutbox.created_at < cutoff),
            )
        )
    )
    commit()
    return result.rowcount
