"""`flask transfer` and `flask check-deploy`: moving a deployment and checking it."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..deploycheck import run_checks
from ..transfer import TransferError, transfer


@click.command("transfer")
@with_appcontext
@click.argument("source_url")
@click.argument("target_url")
def transfer_command(source_url: str, target_url: str):
    """Copy a whole database from SOURCE_URL to TARGET_URL (any supported engines).

    The target must be migrated (`flask db upgrade`) and empty. Primary keys are kept.
    """

    def progress(total: int):
        return click.progressbar(length=total, label="Copying rows", file=sys.stderr)

    try:
        counts = transfer(source_url, target_url, progress)
    except TransferError as error:
        raise click.ClickException(str(error)) from None
    width = max(len(count.table) for count in counts)
    click.echo(f"{'table'.ljust(width)}  {'source':>8}  {'target':>8}")
    for count in counts:
        click.echo(f"{count.table.ljust(width)}  {count.source:>8}  {count.target:>8}")
    different = [count.table for count in counts if count.source != count.target]
    if different:
        raise click.ClickException(f"Row counts differ for: {', '.join(different)}.")
    click.echo("Transfer complete: every table has the same number of rows on both sides.")


@click.command("check-deploy")
@with_appcontext
def check_deploy_command():
    """Check the deployment settings; exits non-zero if any check fails."""
    results = run_checks(current_app._get_current_object())
    for result in results:
        status = "FAIL" if not result.ok else "warn" if result.warning else "ok"
        click.echo(f"[{status}] {result.name}: {result.message}")
        if status != "ok" and result.fix:
            click.echo(f"       {'fix' if status == 'FAIL' else 'note'}: {result.fix}")
    failed = sum(not result.ok for result in results)
    if failed:
        raise click.ClickException(f"{failed} of {len(results)} checks failed.")
    warned = sum(result.warning for result in results)
    click.echo(
        f"All {len(results)} checks passed" + (f" ({warned} with a warning)." if warned else ".")
    )
