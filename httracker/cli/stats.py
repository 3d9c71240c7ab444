"""`flask stats rebuild|check`: the stored analytics state (analytics/stats_check.py)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..analytics import stats_check
from ..extensions import db
from ..models import User
from ..timeutil import user_today
from .accounts import find_user_or_fail


def _users(username: str | None) -> list[User]:
    if username:
        return [find_user_or_fail(username)]
    return list(db.session.scalars(select(User).order_by(User.id)))


@click.group("stats")
def stats_command():
    """Derived analytics state: rebuild it, or check it against the logs."""


@stats_command.command("rebuild")
@with_appcontext
@click.argument("username", required=False)
def rebuild_command(username: str | None):
    """Recompute the stored analytics state of one user (or every user) from the logs."""
    for user in _users(username):
        count = stats_check.rebuild(user, user_today(user))
        click.echo(f"{user.username}: {count} habit{'' if count == 1 else 's'} rebuilt.")


@stats_command.command("check")
@with_appcontext
@click.argument("username", required=False)
def check_command(username: str | None):
    """Recompute in memory and report any difference from the stored state (exit 1 if any)."""
    problems = []
    users = _users(username)
    for user in users:
        problems.extend(stats_check.differences(user, user_today(user)))
    for line in problems:
        click.echo(line)
    db.session.rollback()
    if problems:
        raise click.ClickException(f"{len(problems)} difference(s) from the stored state.")
    click.echo(f"Stored analytics state matches the logs ({len(users)} user(s)).")
