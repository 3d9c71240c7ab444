"""`flask demo`, `flask export` and `flask import`: data in and out of one account."""

import secrets
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, select

from ..analytics.derived import invalidate
from ..auth.services import create_user, email_taken, set_password
from ..changes import commit_change
from ..demo import DEMO_HABITS, demo_log_rows, demo_logs
from ..extensions import db
from ..forms import validate_username_format
from ..habits.services import create_habit
from ..habits.targets import Target
from ..models import Habit, HabitLog, User, fold
from ..portability import (
    FORMATS,
    ImportRejected,
    export_data,
    format_of,
    import_file,
    import_slot,
)
from ..timeutil import user_today
from .accounts import commit_or_fail, find_user_or_fail

FORMAT_OPTION = click.Choice(FORMATS, case_sensitive=False)


def refresh_demo_account(username: str, password: str, days: int, seed: int) -> tuple[User, int]:
    """Create the demo user, or empty an existing demo user, and fill it with the seed's data.

    Any other account is refused before anything changes: this command never destroys data
    it did not create."""
    user = db.session.scalar(select(User).where(User.username_key == fold(username)))
    if user is None:
        email = f"{username.lower()}@example.com"
        if email_taken(email):
            raise click.ClickException(f"The email {email} belongs to another account.")
        user = create_user(username, email, password)
        user.is_demo = True
    elif not user.is_demo:
        raise click.ClickException(
            f"{user.username!r} is not a demo account, and `flask demo` would replace its "
            "habits, logs and password; nothing was changed. Choose another --username."
        )
    else:
        db.session.execute(delete(Habit).where(Habit.user_id == user.id))
        # The operator chose this password for a demo, so no strength rules; every session ends.
        set_password(user, password)
    habit_ids = []
    for spec in DEMO_HABITS:
        habit = create_habit(
            user, spec.name, spec.category, Target(spec.target_minutes, spec.target_period)
        )
        habit.archived = spec.archived
        habit_ids.append(habit.id)
    rows = list(demo_log_rows(user.id, habit_ids, demo_logs(seed, days, user_today(user))))
    if rows:
        db.session.execute(insert(HabitLog), rows)
    invalidate(user.id)
    return user, len(rows)


@click.command("demo")
@with_appcontext
@click.option("--username", default="demo", show_default=True, help="The demo account's login.")
@click.option(
    "--days", default=365, show_default=True, type=click.IntRange(1, 3650), help="Days of logs."
)
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@click.option("--password", help="The account's password (default: a new random one).")
def demo_command(username: str, days: int, seed: int, password: str | None):
    """Create or refresh a demo account with realistic, reproducible logs."""
    problem = validate_username_format(username)
    if problem:
        raise click.ClickException(f"Invalid username {username!r}: {problem}")
    password = password or secrets.token_urlsafe(12)
    user, count = commit_or_fail(lambda: refresh_demo_account(username, password, days, seed))
    click.echo(f"Demo account ready: {len(DEMO_HABITS)} habits, {count} logs over {days} days.")
    click.echo(f"Login:    {user.username}")
    click.echo(f"Password: {password}")


@click.command("export")
@with_appcontext
@click.argument("username")
@click.option("--format", "fmt", type=FORMAT_OPTION, help="Default: from -o's extension, else csv.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
def export_command(username: str, fmt: str | None, output: Path | None):
    """Write all of a user's habits, logs, checks, skipped days and breaks as CSV or JSON."""
    user = find_user_or_fail(username)
    if fmt is None:
        fmt = output.suffix.lower().lstrip(".") if output else "csv"
        if fmt not in FORMATS:
            raise click.UsageError("Cannot tell the format from the file name; pass --format.")
    text = export_data(user, fmt.lower())
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}.") from None
    click.echo(f"Exported {user.username}'s data to {output}.", err=True)


@click.command("import")
@with_appcontext
@click.argument("username")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT_OPTION, help="Default: from the file's extension.")
def import_command(username: str, file: Path, fmt: str | None):
    """Add habits, logs, checks, skipped days and breaks from a CSV or JSON file; all or
    nothing."""
    user = find_user_or_fail(username)
    data = file.read_bytes()
    try:
        with import_slot(user.id):
            result = commit_change(
                lambda: import_file(user, data, (fmt or format_of(file.name, data)).lower())
            )
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{file.name} was rejected; nothing was imported.") from None
    click.echo(result.summary())
