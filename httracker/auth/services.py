"""Account operations shared by the web views and the CLI: check the rules, add and flush, write
the audit line, never commit (`changes.commit_change` does, once)."""

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..changes import RuleBroken
from ..extensions import db
from ..models import User, fold
from .lockout import device_session_subject, locked_until, record_failure, unlock
from .passwords import hash_password, needs_rehash, new_password_problem, verify_password
from .sessions import revoke_sessions
from .tokens import revoke_tokens

EMAIL_TAKEN = "An account with that email already exists."
USERNAME_OR_EMAIL_TAKEN = "That username or email is taken."
REAUTH_FAILED = "That is not your current password."


def username_taken(username: str) -> bool:
    """Whether an account has this username, in any letter case."""
    return db.session.scalar(select(User.id).where(User.username_key == fold(username))) is not None


def email_taken(email: str) -> bool:
    """Whether an account has this email address."""
    return db.session.scalar(select(User.id).where(User.email == email.lower())) is not None


def _flush_unique(field: str, message: str) -> None:
    """Flush, turning a lost race on a unique column into the same message as the check."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleBroken(field, message) from None


def create_user(username: str, email: str, password: str) -> User:
    """Add an account; RuleBroken when another request took the username or email first.
    No password rules: `open_account` applies them (fixtures and the demo use this directly)."""
    user = User(username=username, email=email.lower(), password_hash=hash_password(password))
    db.session.add(user)
    _flush_unique("username", USERNAME_OR_EMAIL_TAKEN)
    return user


def open_account(username: str, email: str, password: str) -> User:
    """An account opened by a person (register form) or an operator (`flask users create`):
    the new-password rules, then `create_user`, then the audit line."""
    problem = new_password_problem(password, (username, email))
    if problem:
        raise RuleBroken("password", problem)
    user = create_user(username, email, password)
    audit("account.created", user.id)
    return user


def find_user(login: str) -> User | None:
    """The user whose username or email matches `login`, in any letter case."""
    login = (login or "").strip()
    query = select(User).where(or_(User.username_key == fold(login), User.email == login.lower()))
    return db.session.scalars(query).first()


def check_user_password(user: User | None, password: str) -> bool:
    """Whether `password` is the password of `user` (found by `find_user`; None for an unknown
    name, which costs as much time as a known one). An outdated hash is replaced."""
    if not verify_password(user.password_hash if user else None, password):
        return False
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def check_credentials(login: str, password: str) -> tuple[User | None, bool]:
    """The user `login` names (or None) and whether the password is theirs."""
    user = find_user(login)
    return user, check_user_password(user, password)


def check_password(user: User, password: str) -> bool:
    """Whether `password` is the user's current one."""
    return verify_password(user.password_hash, password)


def confirm_password(user: User, password: str) -> str | None:
    """Check the password re-entered for a sensitive change: None when it is right, else why not.

    A wrong one is counted against this logged-in session like a failed login from a device
    (added and flushed; the caller commits it), so a stolen session cannot be used to guess
    the password; the lockout of untrusted clients never blocks the owner here."""
    subject = device_session_subject(user, user.session_id)
    until = locked_until(subject)
    if until is not None:
        return f"Too many wrong passwords; try again after {until:%H:%M} UTC."
    if check_password(user, password):
        return None
    audit("reauth.failure", user.id)
    record_failure(subject)
    return REAUTH_FAILED


def set_password(user: User, password: str, keep_session: int | None = None) -> int:
    """Store a new password and end the user's sessions except `keep_session` (an id; None ends
    every one); returns how many ended. No strength rules: `change_password` applies them.

    The one place a new password revokes what the old one granted: sessions, device cookies
    (the credential generation moves on), every API token and the failures counted against
    the account."""
    user.password_hash = hash_password(password)
    user.credential_generation = (user.credential_generation or 0) + 1
    unlock(user)
    ended = revoke_sessions(user, except_session=keep_session)
    revoke_tokens(user)
    audit("password.changed", user.id, sessions_ended=ended)
    return ended


def unlock_account(user: User) -> int:
    """Forget the account's failed logins (`flask users unlock`); returns how many."""
    cleared = unlock(user)
    audit("account.unlocked", user.id, cleared=cleared)
    return cleared


def change_password(user: User, new_password: str, keep_session: int | None = None) -> int:
    """A person's new password, from the settings page or `flask users set-password`: the
    new-password rules, then `set_password`. RuleBroken names the first rule broken."""
    problem = new_password_problem(new_password, (user.username, user.email))
    if problem:
        raise RuleBroken("new_password", problem)
    return set_password(user, new_password, keep_session)


def change_email(user: User, email: str) -> User:
    """Give the account a new email address; RuleBroken when another account has it (the form
    checks first; this catches a request that took the address meanwhile)."""
    user.email = email.lower()
    _flush_unique("email", EMAIL_TAKEN)
    audit("email.changed", user.id)
    return user


def set_preferences(
    user: User, timezone: str, week_start: str, weekly_summary: bool | None = None
) -> User:
    """Set what "today" and "this week" mean for the user (the form offers only valid values),
    and whether a weekly summary is mailed (None leaves it)."""
    changed = (user.timezone, user.week_start) != (timezone, week_start)
    user.timezone, user.week_start = timezone, week_start
    if weekly_summary is not None:
        user.weekly_summary = weekly_summary
    db.session.flush()
    if changed:
        from ..analytics.invalidation import invalidate

        invalidate(user.id)
    return user


def delete_user(user: User) -> None:
    """Delete an account: its API tokens are revoked, and the database cascades to habits,
    logs, sessions and login failures."""
    user_id = user.id
    revoke_tokens(user)
    db.session.delete(user)
    db.session.flush()
    audit("account.deleted", user_id)
