"""`flask demo`, `flask export` and `flask import`: data in and out of one account."""

import secrets
import sys
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, select

from ..analytics.invalidation import invalidate
from ..auth.services import create_user, email_taken, set_password
from ..changes import commit_change
from ..demo import DEMO_HABITS, demo_log_rows, demo_logs
from ..extensions import db
from ..forms import validate_username_format
from ..habits.services import create_habit
from ..habits.targets import Target
from ..models import Habit, HabitLog, User, fold
from ..portability import FORMATS, ImportRejected, export_data, import_slot
from ..portability.importing import check_import, write_import
from ..portability.previews import summarise
from ..portability.sources import ORIGINS, read_source, source_of
from ..portability.timesheets import MAPPINGS
from ..timeutil import user_today
from .accounts import commit_or_fail, find_user_or_fail

FORMAT_OPTION = click.Choice(FORMATS, case_sensitive=False)
# Files from this size up show a progress bar while they import.
LARGE_FILE = 1024 * 1024


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
@click.option("--format", "fmt", type=FORMAT_OPTION, help="Our CSV or JSON export (default: auto).")
@click.option(
    "--from",
    "origin",
    type=click.Choice(ORIGINS, case_sensitive=False),
    default="auto",
    show_default=True,
    help="Where the file comes from: Loop Habit Tracker (.db or .zip), Toggl Track, Clockify.",
)
@click.option(
    "--mapping",
    type=click.Choice([key for key, _ in MAPPINGS]),
    default="project",
    show_default=True,
    help="Toggl Track and Clockify: one habit per project, or per project and description.",
)
@click.option("--dry-run", is_flag=True, help="Check the file, say what it adds, import nothing.")
def import_command(
    username: str, file: Path, fmt: str | None, origin: str, mapping: str, dry_run: bool
):
    """Add habits, logs, checks, skipped days and breaks from an export of ours, a Loop Habit
    Tracker backup or CSV export, or a Toggl Track or Clockify detailed export; all or
    nothing."""
    user = find_user_or_fail(username)
    data = file.read_bytes()
    limit = current_app.config["IMPORT_MAX_ROWS"]
    steps = ("read", "check", "write")
    try:
        with import_slot(user.id), _progress(len(data), len(steps)) as bar:
            source = f"httracker-{fmt.lower()}" if fmt else source_of(data, file.name, origin)
            conversion = read_source(data, source, limit, mapping)
            bar.update(1)
            if dry_run:
                try:
                    summary = summarise(user, conversion)
                finally:
                    db.session.rollback()
                bar.update(2)
            else:
                result = commit_change(lambda: _import(user, conversion, bar))
    except ImportRejected as rejected:
        db.session.rollback()
        for error in rejected.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{file.name} was rejected; nothing was imported.") from None
    for note in conversion.notes:
        click.echo(f"Note: {note}", err=True)
    if dry_run:
        _echo_summary(summary)
        click.echo("Dry run: nothing was imported.")
        return
    click.echo(result.summary())


def _import(user: User, conversion, bar):
    plan = check_import(user, conversion.data)
    bar.update(1)
    result = write_import(user, conversion.data, plan)
    bar.update(1)
    return result


def _progress(size: int, steps: int):
    """A progress bar over the import's steps for a large file; nothing for a small one."""
    if size < LARGE_FILE:
        return nullcontext(SimpleNamespace(update=lambda steps: None))
    return click.progressbar(length=steps, label="Importing", file=sys.stderr)


def _echo_summary(summary) -> None:
    click.echo(f"{summary.source_name}: {summary.new_habits} new habits, {summary.logs} logs, "
               f"{summary.checks} check-offs, {summary.skips} skipped days, "
               f"{summary.breaks} breaks ({summary.already_there} already there).")  # fmt: skip
    if summary.first_day:
        click.echo(f"Dates: {summary.first_day.isoformat()} to {summary.last_day.isoformat()}.")
    for habit in summary.habits:
        place = f"matches {habit.existing!r}" if habit.existing else "new"
        click.echo(f"  {habit.name} ({habit.kind}, {habit.target}): {place}")
