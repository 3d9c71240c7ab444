"""Two-factor login with TOTP (RFC 6238, pyotp) and single-use recovery codes.

A code is accepted within one 30-second step either side of now, and only once: the account
keeps the last step accepted, and a conditional UPDATE moves it forward, so a code (or an
older one) replayed — even by two requests at once — is refused. Recovery codes carry 120
random bits; only their SHA-256 is stored, and spending one is a conditional UPDATE too."""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from ..audit import audit
from ..changes import RuleBroken
from ..extensions import db
from ..models import RecoveryCode, User, utcnow

ISSUER = "HT-Tracker"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each, no 0/O, 1/I
RECOVERY_LENGTH = 24  # 120 bits
WRONG_CODE = "That code is not right (or has been used already)."


def new_secret() -> str:
    """A fresh 160-bit base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(text: str) -> Markup:
    """`text` as a QR code in inline SVG (no image service, nothing for the CSP to allow)."""
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff", omitsize=False)
    # segno writes only path data and numbers; the text is encoded, never copied into the SVG.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code" ', 1))  # noqa: S704  # nosec B704


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // 30)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (now, or one either side) whose code is `code`, or None."""
    code = "".join((code or "").split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.at(candidate * 30), code):
            return candidate
    return None


def spend_step(user: User, step: int) -> bool:
    """Record `step` as the account's last accepted one unless it (or a later one) was used."""
    query = (
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(query).rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def check_totp(user: User, code: str) -> bool:
    """Whether `code` is a fresh TOTP code for the account (spending it when it is)."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    return step is not None and spend_step(user, step)


def normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_recovery(code: str) -> str:
    return hashlib.sha256(normalise_recovery(code).encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones (flushed); returns them."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    db.session.add_all([RecoveryCode(user_id=user.id, code_hash=hash_recovery(c)) for c in codes])
    db.session.flush()
    audit("2fa.recovery_codes", user.id)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one of the account's unused recovery codes; False when `code` is none of them."""
    if len(normalise_recovery(code)) != RECOVERY_LENGTH:
        return False
    query = (
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    used = db.session.execute(query).rowcount == 1
    if used:
        audit("2fa.recovery_code_used", user.id)
    return used


def check_second_factor(user: User, code: str) -> bool:
    """A TOTP code or a recovery code, spent if right."""
    return check_totp(user, code) or use_recovery_code(user, code)


def unused_recovery_codes(user: User) -> int:
    query = select(func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(query)


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Turn on two-factor login once `code` proves the authenticator has `secret`; returns the
    new recovery codes. RuleBroken("code") when the code is wrong."""
    step = matching_step(secret, code)
    if step is None:
        raise RuleBroken("code", WRONG_CODE)
    user.totp_secret, user.totp_last_step = secret, step
    db.session.flush()
    audit("2fa.enabled", user.id)
    return new_recovery_codes(user)


def disable_totp(user: User) -> None:
    """Turn two-factor login off and drop its recovery codes (callers check password and code;
    `flask users reset-2fa` is the operator's way)."""
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    audit("2fa.disabled", user.id)
