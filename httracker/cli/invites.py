"""`flask invites …`: single-use registration codes for `REGISTRATION=invite`."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth import invites as service
from ..models import utcnow
from .accounts import commit_or_fail


@click.group()
def invites():
    """Manage invitation codes (used when REGISTRATION=invite)."""


@invites.command("create")
@with_appcontext
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 1000))
@click.option("--expires", default="7d", show_default=True, help="7d, 12h, 30m, 2w or never.")
def create_command(count: int, expires: str):
    """Make invitation codes and print them (they are shown only now)."""
    try:
        lifetime = service.parse_duration(expires)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--expires") from None
    codes = commit_or_fail(lambda: service.create_invites(count, lifetime))
    for code in codes:
        click.echo(code)
    policy = current_app.config["REGISTRATION"]
    if policy != "invite":
        click.echo(f"Note: REGISTRATION is {policy!r}; codes are asked for only with 'invite'.")


@invites.command("list")
@with_appcontext
def list_command():
    """Show every invitation: id, status, created, expires, used."""
    rows = service.list_invites()
    if not rows:
        click.echo("(no invitations)")
        return
    now = utcnow()

    def stamp(value):
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    click.echo("id  status   created           expires           used")
    for row in rows:
        status = service.invite_status(row, now)
        click.echo(
            f"{row.id:>2}  {status:<7}  {stamp(row.created_at)}  {stamp(row.expires_at):<16}  "
            f"{stamp(row.used_at)}"
        )


@invites.command("revoke")
@with_appcontext
@click.argument("invite_id", type=int)
def revoke_command(invite_id: int):
    """Delete an unused invitation by its id (see `flask invites list`)."""
    if not commit_or_fail(lambda: service.revoke_invite(invite_id)):
        raise click.ClickException(f"No unused invitation with id {invite_id}.")
    click.echo(f"Revoked invitation {invite_id}.")
