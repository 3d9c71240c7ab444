"""`flask users …`: create, list, change passwords and delete accounts."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..auth import passkeys, services, totp
from ..changes import RuleBroken, commit_change
from ..extensions import db
from ..forms import validate_username_format
from ..models import Habit, HabitLog, User, fold


def stdin_is_interactive() -> bool:
    """True when a person types the input, False when it is piped."""
    return sys.stdin.isatty()


def find_user_or_fail(username: str) -> User:
    """The user with this username (any letter case), or a one-line CLI error."""
    user = db.session.scalar(select(User).where(User.username_key == fold(username.strip())))
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


def read_password() -> str:
    """Prompt twice with hidden input; when input is piped, read the first line (and check a
    second one against it, if given)."""
    if stdin_is_interactive():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("No password given on standard input.")
    if len(lines) > 1 and lines[1] and lines[1] != lines[0]:
        raise click.ClickException("The passwords do not match.")
    return lines[0]


def commit_or_fail(change):
    """Run a service call and commit once, like a view; a broken rule is a one-line CLI error
    with the message the web form shows."""
    try:
        return commit_change(change)
    except RuleBroken as error:
        raise click.ClickException(error.message) from None


@click.group()
def users():
    """Manage user accounts."""


@users.command("create")
@with_appcontext
@click.argument("username")
@click.argument("email")
def create_command(username: str, email: str):
    """Create an account; asks for the password twice (or reads it from piped input)."""
    username = username.strip()
    problem = validate_username_format(username)
    if problem:
        raise click.ClickException(f"Invalid username {username!r}: {problem}")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.ClickException(f"Invalid email {email!r}: {error}") from None
    if services.username_taken(username):
        raise click.ClickException(f"The username {username!r} is taken.")
    if services.email_taken(email):
        raise click.ClickException(f"An account with the email {email!r} already exists.")
    password = read_password()
    # The same service as the register form: its password rules, its audit line.
    user = commit_or_fail(lambda: services.open_account(username, email, password))
    click.echo(f"Created user {user.username} (id {user.id}).")


@users.command("list")
@with_appcontext
def list_command():
    """Show every account: id, username, email, habits, logs, created."""
    habits = select(func.count()).where(Habit.user_id == User.id).correlate(User).scalar_subquery()
    logs = select(func.count()).where(HabitLog.user_id == User.id).correlate(User).scalar_subquery()
    rows = db.session.execute(select(User, habits, logs).order_by(User.id)).all()
    table = [("id", "username", "email", "habits", "logs", "created")]
    table += [
        (str(u.id), u.username, u.email, str(h), str(n), u.created_at.strftime("%Y-%m-%d %H:%M"))
        for u, h, n in rows
    ]
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    numeric = {0, 3, 4}
    for row in table:
        cells = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())
    if not rows:
        click.echo("(no users)")


@users.command("set-password")
@with_appcontext
@click.argument("username")
def set_password_command(username: str):
    """Set a new password (asked twice, or piped) and sign the user out everywhere."""
    user = find_user_or_fail(username)
    password = read_password()
    # The same service as the settings page: its rules, its audit line; every session ends.
    commit_or_fail(lambda: services.change_password(user, password))
    click.echo(
        f"Password changed for {user.username}; signed out everywhere, lockouts cleared, "
        "device cookies void."
    )


@users.command("unlock")
@with_appcontext
@click.argument("username")
def unlock_command(username: str):
    """Clear the account's lockouts (failed logins from every client and device)."""
    user = find_user_or_fail(username)
    cleared = commit_or_fail(lambda: services.unlock_account(user))
    click.echo(f"Unlocked {user.username}: {cleared} failed attempts forgotten.")


@users.command("reset-2fa")
@with_appcontext
@click.argument("username")
def reset_2fa_command(username: str):
    """Remove every second factor (TOTP, recovery codes, passkeys) of a user who lost them."""
    user = find_user_or_fail(username)
    if not (user.totp_secret or passkeys.has_passkeys(user)):
        raise click.ClickException(f"{user.username} has no two-factor login to reset.")

    def reset() -> int:
        if user.totp_secret:
            totp.disable_totp(user)
        return sum(passkeys.delete_passkey(user, row.id) for row in passkeys.user_passkeys(user))

    removed = commit_or_fail(reset)
    click.echo(
        f"Two-factor login is off for {user.username} ({removed} passkeys removed); "
        "they log in with the password alone."
    )


@users.command("delete")
@with_appcontext
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(username: str, yes: bool):
    """Delete an account with all its habits and logs."""
    user = find_user_or_fail(username)
    if not yes:
        click.confirm(
            f"Delete {user.username} and all their habits and logs? This cannot be undone",
            abort=True,
        )
    name = user.username
    commit_or_fail(lambda: services.delete_user(user))
    click.echo(f"Deleted user {name} and all their data.")
