"""Registration policy (`REGISTRATION=open|invite|closed`) and single-use invitation codes.

Only a code's SHA-256 is stored (a code carries 120 random bits, so a fast hash is enough);
redeeming one is a conditional UPDATE, so two registrations cannot both spend the same code."""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from ..audit import audit
from ..changes import RuleBroken
from ..extensions import db
from ..models import Invite, User, utcnow

INVALID_INVITE = "That invitation code is not valid (or has been used, or has expired)."
DURATION = re.compile(r"^(\d{1,6})([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def registration_policy() -> str:
    return current_app.config["REGISTRATION"]


def parse_duration(text: str) -> timedelta | None:
    """'7d', '12h', '30m' or '2w' as a timedelta; 'never' as None. ValueError otherwise."""
    text = text.strip().lower()
    if text == "never":
        return None
    match = DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 7d, 12h, 30m, 2w or never.")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8", "surrogatepass")).hexdigest()


def create_invites(count: int, lifetime: timedelta | None) -> list[str]:
    """Add `count` invitations (flushed); returns the codes, which are never stored."""
    now = utcnow()
    codes = [secrets.token_urlsafe(15) for _ in range(count)]
    expires = now + lifetime if lifetime else None
    db.session.add_all(
        [Invite(code_hash=hash_code(code), created_at=now, expires_at=expires) for code in codes]
    )
    db.session.flush()
    audit("invites.created", None, count=count)
    return codes


def invite_status(invite: Invite, now: datetime) -> str:
    if invite.used_at is not None:
        return "used"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    return "open"


def list_invites() -> list[Invite]:
    return list(db.session.scalars(select(Invite).order_by(Invite.id)))


def revoke_invite(invite_id: int) -> bool:
    """Delete an unused invitation; False when there is none with that id or it was used."""
    query = delete(Invite).where(Invite.id == invite_id, Invite.used_at.is_(None))
    revoked = db.session.execute(query).rowcount == 1
    if revoked:
        audit("invite.revoked", None, invite_id=invite_id)
    return revoked


def redeem_invite(code: str, user: User | None) -> None:
    """Spend an invitation on `user`'s registration (None: a registration by mail for an address
    that has an account, which spends it all the same, so the answer tells nothing); RuleBroken
    ("invite") when it is unknown, used or expired. The caller's transaction makes the account
    and the spending one change."""
    now = utcnow()
    query = (
        update(Invite)
        .where(
            Invite.code_hash == hash_code(code or ""),
            Invite.used_at.is_(None),
            or_(Invite.expires_at.is_(None), Invite.expires_at > now),
        )
        .values(used_at=now, used_by_id=user.id if user else None)
    )
    if not code or db.session.execute(query).rowcount != 1:
        raise RuleBroken("invite", INVALID_INVITE)
    audit("invite.used", user.id if user else None)
