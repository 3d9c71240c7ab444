"""`flask users …`: create, list, change passwords and delete accounts."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..auth.forms import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    email_taken,
    username_taken,
    validate_username_format,
)
from ..auth.passwords import hash_password, password_problem
from ..auth.services import create_user
from ..auth.sessions import revoke_sessions
from ..extensions import db
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


def check_password(password: str, hints: tuple[str, ...] = ()) -> str:
    """The password if it meets the web form's rules, else a CLI error."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.ClickException(
            f"The password must have {PASSWORD_MIN}–{PASSWORD_MAX} characters."
        )
    problem = password_problem(password, hints)
    if problem:
        raise click.ClickException(problem)
    return password


def read_password(hints: tuple[str, ...] = ()) -> str:
    """Prompt twice with hidden input; when input is piped, read the first line (and check a
    second one against it, if given)."""
    if stdin_is_interactive():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return check_password(password, hints)
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("No password given on standard input.")
    if len(lines) > 1 and lines[1] and lines[1] != lines[0]:
        raise click.ClickException("The passwords do not match.")
    return check_password(lines[0], hints)


def sign_out_everywhere(user: User) -> None:
    """End every login session of `user`, remembered devices included: no browser signed in
    before the call stays signed in."""
    revoke_sessions(user)


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
    if username_taken(username):
        raise click.ClickException(f"The username {username!r} is taken.")
    if email_taken(email):
        raise click.ClickException(f"An account with the email {email!r} already exists.")
    password = read_password((username, email))
    try:
        user = create_user(username, email, password)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("That username or email was taken just now.") from None
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
    user.password_hash = hash_password(read_password((user.username, user.email)))
    sign_out_everywhere(user)
    db.session.commit()
    click.echo(f"Password changed for {user.username}; signed out everywhere.")


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
    db.session.delete(user)
    db.session.commit()
    click.echo(f"Deleted user {name} and all their data.")
