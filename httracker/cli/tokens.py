"""`flask tokens …`: make an API token for an account (a deployment's own scripts, a test
harness) and revoke an account's tokens."""

import click
from flask.cli import with_appcontext

from ..auth.tokens import EXPIRY_DAYS, create_token, revoke_tokens
from .accounts import commit_or_fail, find_user_or_fail


@click.group()
def tokens():
    """Manage personal access tokens for the API."""


@tokens.command("create")
@with_appcontext
@click.argument("username")
@click.option("--name", default="Command line", show_default=True, help="What it is for.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--days", type=click.Choice([str(days) for days in EXPIRY_DAYS]), help="Expiry.")
def create_command(username: str, name: str, scope: str, days: str | None):
    """Make a token and print it (only this once) on standard output."""
    user = find_user_or_fail(username)
    made = commit_or_fail(lambda: create_token(user, name, scope, int(days) if days else None))
    click.echo(made.secret)


@tokens.command("revoke")
@with_appcontext
@click.argument("username")
def revoke_command(username: str):
    """Revoke every token of an account."""
    user = find_user_or_fail(username)
    count = commit_or_fail(lambda: revoke_tokens(user))
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {user.username}.")
