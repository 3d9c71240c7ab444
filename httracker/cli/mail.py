"""`flask mail deliver` and `flask reminders send`: the outbox's sender and the mail it
queues on a schedule (cron, or a worker with --loop)."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..changes import commit
from ..extensions import db
from ..mail import clock
from ..mail.delivery import deliver
from ..mail.reminders import send_reminders
from ..mail.summary import send_summaries


def mail_off() -> bool:
    """True (and says so) when the site sends no mail: a scheduled job then has nothing to do,
    which is not a failure (`flask check-deploy` reports the setting)."""
    if current_app.config.get("MAIL_SERVER"):
        return False
    click.echo("MAIL_SERVER is not set: this site sends no mail; nothing to do.")
    return True


@click.group("mail")
def mail_group():
    """Send the mail the site has queued."""


@mail_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering, every --interval seconds.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600))
@with_appcontext
def deliver_command(loop: bool, interval: int):
    """Send due messages from the outbox (retrying failures), then prune old ones."""
    if mail_off():
        return
    while True:
        try:
            report = deliver()
        except SQLAlchemyError as error:
            if not loop:
                raise
            # A worker outlives a database restart: the outbox is still there afterwards.
            db.session.rollback()
            click.echo(f"Database error, trying again in {interval}s: {error}", err=True)
        else:
            click.echo(
                f"Sent {report.sent}, retrying {report.retrying}, gave up on "
                f"{report.given_up}, pruned {report.pruned}."
            )
        if not loop:
            return
        time.sleep(interval)


@click.group("reminders")
def reminders_group():
    """Reminders and weekly summaries."""


@reminders_group.command("send")
@with_appcontext
def send_command():
    """Queue the reminders and weekly summaries due now (safe to run every few minutes)."""
    if mail_off():
        return
    now = clock.now()
    reminders = send_reminders(now)
    summaries = send_summaries(now)
    commit()
    click.echo(f"Queued {reminders} reminders and {summaries} weekly summaries.")
