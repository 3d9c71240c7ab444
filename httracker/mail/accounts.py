"""Account changes that go through mail: password reset, confirming an address, changing it,
and registering without telling a stranger whether an address has an account."""

from sqlalchemy import func, select

from ..audit import audit
from ..auth.passwords import hash_password, new_password_problem
from ..auth.services import email_taken, open_account, set_password
from ..changes import RuleBroken
from ..extensions import db
from ..models import EmailOutbox, User
from . import clock
from .links import site_url
from .outbox import enqueue
from .tokens import (
    CONFIRM_MAX_AGE,
    RESET_MAX_AGE,
    password_fingerprint,
    sign,
    unsign,
)

RESET_WINDOW = RESET_MAX_AGE
# Mails telling an address's owner that another account asked for it, at most, an hour.
CHANGE_ATTEMPTS_PER_HOUR = 3


def user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == (email or "").lower())).first()


def recent_mails(user: User, kind: str) -> int:
    """How many mails of `kind` the user was sent within the last hour."""
    since = clock.now() - RESET_WINDOW
    query = select(func.count(EmailOutbox.id)).where(
        EmailOutbox.user_id == user.id, EmailOutbox.kind == kind, EmailOutbox.created_at >= since
    )
    return db.session.scalar(query) or 0


def request_password_reset(email: str, per_address: int) -> bool:
    """Queue a reset link for the account with this address, unless it had `per_address`
    links within the hour; whether one was queued. The caller answers the same either way."""
    user = user_by_email(email)
    if user is None:
        audit("password_reset.unknown_address", None)
        return False
    if recent_mails(user, "reset_link") >= per_address:
        audit("password_reset.limited", user.id)
        return False
    token = sign("reset", {"u": user.id, "p": password_fingerprint(user.password_hash)})
    link = site_url("mail.reset_password", token=token)
    enqueue(user, "reset_link", link=link, hours=int(RESET_MAX_AGE.total_seconds() // 3600))
    audit("password_reset.requested", user.id)
    return True


def user_for_reset(token: str) -> User | None:
    """The account a reset link is for, while it is under an hour old and the password is still
    the one it was made for; else None."""
    payload = unsign("reset", token, RESET_MAX_AGE)
    if not payload or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(User, payload["u"])
    if user is None or payload.get("p") != password_fingerprint(user.password_hash):
        return None
    return user


def reset_password(user: User, new_password: str) -> int:
    """A new password from a reset link: the new-password rules, then `set_password`, which
    ends every session of the account. The link proved the address, so it is confirmed."""
    problem = new_password_problem(new_password, (user.username, user.email))
    if problem:
        raise RuleBroken("password", problem)
    ended = set_password(user, new_password)  # also clears the lockout
    user.email_verified = True
    enqueue(user, "reset_done", login=site_url("auth.login"))
    audit("password_reset.done", user.id)
    return ended


def confirmation_link(user: User, address: str, purpose: str) -> str:
    token = sign("confirm", {"u": user.id, "e": address, "k": purpose})
    return site_url("mail.confirm_email", token=token)


def send_confirmation(user: User) -> None:
    """Queue a link that confirms the account's current address."""
    enqueue(user, "confirm_address", link=confirmation_link(user, user.email, "verify"))


def register_by_mail(username: str, email: str, password: str) -> tuple[str, User | None]:
    """Registration when the site sends mail: a new account gets a confirmation link; an address
    that has an account gets a "someone tried to sign up" mail and no account is made. The
    answer on the page is the same (the new account is not logged in): the address mailed, and
    the new account (None when the address had one)."""
    existing = user_by_email(email)
    if existing is None:
        user = open_account(username, email, password)
        send_confirmation(user)
        return user.email, user
    problem = new_password_problem(password, (username, email))
    if problem:
        raise RuleBroken("password", problem)
    hash_password(password)  # as much work as a new account, so timing tells nothing either
    enqueue(existing, "signup_attempt", reset=site_url("mail.forgot_password"))
    audit("register.existing_address", existing.id)
    return existing.email, None


def request_email_change(user: User, email: str) -> str:
    """Ask the new address to confirm; the account keeps its address until it does. An
    address another account has is answered the same (no probing for accounts): it is shown
    as waiting, but no link goes out (it could never confirm); its owner is told instead."""
    email = email.lower()
    if email == user.email:
        raise RuleBroken("email", "That is your address already.")
    user.pending_email = email
    owner = user_by_email(email)
    if owner is None:
        enqueue(user, "confirm_change", to=email, link=confirmation_link(user, email, "change"))
        audit("email.change_requested", user.id)
    else:
        if recent_mails(owner, "change_attempt") < CHANGE_ATTEMPTS_PER_HOUR:
            enqueue(owner, "change_attempt", reset=site_url("mail.forgot_password"))
        audit("email.change_to_taken_address", user.id)
    db.session.flush()
    return email


def confirmation_for(token: str) -> tuple[User, dict] | None:
    """The account and payload of a confirmation link still valid, else None."""
    payload = unsign("confirm", token, CONFIRM_MAX_AGE)
    if not payload or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(User, payload["u"])
    if user is None:
        return None
    if payload.get("k") == "verify" and payload.get("e") == user.email:
        return user, payload
    if payload.get("k") == "change" and payload.get("e") == user.pending_email:
        return user, payload
    return None


def confirm(user: User, payload: dict) -> str:
    """Apply a confirmation link: the address is confirmed, or the change takes effect (and
    the old address is told). Returns the address confirmed."""
    if payload["k"] == "verify":
        user.email_verified = True
        db.session.flush()
        audit("email.confirmed", user.id)
        return user.email
    old = user.email
    if email_taken(payload["e"]):
        raise RuleBroken("email", "An account with that email already exists.")
    user.email, user.pending_email, user.email_verified = payload["e"], None, True
    db.session.flush()
    enqueue(user, "email_changed", to=old, old=old, new=user.email)
    audit("email.changed", user.id)
    return user.email
