"""One login attempt with a password: which lockout it counts against, whether it may run at
all, and what it proved. The view turns the outcome into a page."""

from dataclasses import dataclass
from datetime import datetime

from ..audit import audit
from ..models import User
from .devices import trusted_device
from .lockout import Subject, locked_until, record_failure, subject_for
from .passkeys import has_passkeys
from .services import check_user_password, find_user


@dataclass(frozen=True)
class Attempt:
    """`ok` with the user, or refused: `until` set when locked (no password was checked)."""

    ok: bool
    subject: Subject
    user: User | None = None
    until: datetime | None = None


def attempt_login(login: str, password: str) -> Attempt:
    """Check a password login (adds and flushes; the caller commits).

    A locked subject is refused before any password check, so right and wrong passwords, and
    names with no account, get the same answer in the same time."""
    user = find_user(login)
    subject = subject_for(user, login, trusted_device(user))
    until = locked_until(subject)
    if until is not None:
        audit("login.locked", subject.user_id, trusted=subject.device is not None)
        return Attempt(False, subject, until=until)
    if not check_user_password(user, password):
        record_failure(subject)
        return Attempt(False, subject)
    # The failures are cleared when the login completes (after a second factor, if any).
    return Attempt(True, subject, user=user)


def needs_second_factor(user: User) -> bool:
    """Whether a password alone does not log the account in (TOTP on, or a passkey)."""
    return bool(user.totp_secret) or has_passkeys(user)
