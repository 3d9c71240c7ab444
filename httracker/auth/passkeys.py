"""Passkeys (WebAuthn, with py_webauthn): registering them, and checking an assertion for a
passwordless login or as the second factor after a password.

The relying party is the site named by SITE_URL: its host is the RP id and its scheme, host
and port the origin (`flask check-deploy` checks it). Without SITE_URL (development, tests)
the address the request came to is used. Challenges live in `login_challenge` rows."""

import json
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..audit import audit
from ..changes import RuleBroken
from ..extensions import db
from ..models import Passkey, User, utcnow

RP_NAME = "HT-Tracker"
NAME_MAX = 80
MAX_CREDENTIAL_JSON = 64 * 1024
INVALID = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


def relying_party() -> tuple[str, str]:
    """(RP id, origin) from SITE_URL, else from the address of this request."""
    site = current_app.config.get("SITE_URL") or request.host_url
    parts = urlsplit(site)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


def user_passkeys(user: User) -> list[Passkey]:
    query = select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
    return list(db.session.scalars(query))


def user_passkey(user: User, passkey_id: int) -> Passkey | None:
    """One of the user's own passkeys, or None (another account's is as missing as none)."""
    query = select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    return db.session.scalar(query)


def has_passkeys(user: User) -> bool:
    query = select(Passkey.id).where(Passkey.user_id == user.id).limit(1)
    return db.session.scalar(query) is not None


def descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))
        for row in user_passkeys(user)
    ]


def registration_options(user: User) -> tuple[str, str]:
    """The options for `navigator.credentials.create` (JSON) and their challenge (base64url)."""
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=user.username,
        user_id=f"httracker-user-{user.id}".encode(),
        user_display_name=user.username,
        exclude_credentials=descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def parse_credential(raw: object) -> dict:
    """The browser's credential as a dict; ValueError for anything else."""
    if isinstance(raw, str):
        if len(raw) > MAX_CREDENTIAL_JSON:
            raise ValueError("credential too large")
        raw = json.loads(raw)
    if not isinstance(raw, dict):
        raise ValueError("credential must be an object")
    return raw


def register_passkey(user: User, name: str, credential: object, challenge: str) -> Passkey:
    """Check the browser's new credential against `challenge` and keep it (flushed);
    RuleBroken("passkey") when it does not verify or is already registered."""
    name = (name or "").strip()[:NAME_MAX] or "Passkey"
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=parse_credential(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except INVALID:
        raise RuleBroken(
            "passkey", "The passkey could not be verified; please try again."
        ) from None
    row = Passkey(
        user_id=user.id,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=name,
    )
    db.session.add(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleBroken("passkey", "That passkey is already registered.") from None
    audit("passkey.added", user.id, passkey_id=row.id)
    return row


def authentication_options(user: User | None) -> tuple[str, str]:
    """Options for `navigator.credentials.get`: any passkey of this site (passwordless, user
    verification required) or one of `user`'s (second factor)."""
    rp_id, _ = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=descriptors(user) if user else [],
        user_verification=(
            UserVerificationRequirement.PREFERRED if user else UserVerificationRequirement.REQUIRED
        ),
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(credential: object, challenge: str, user: User | None = None) -> Passkey | None:
    """The passkey that signed `challenge` (of `user`, when given), its counter and last use
    updated; None when the assertion does not verify."""
    rp_id, origin = relying_party()
    try:
        data = parse_credential(credential)
        credential_id = data.get("rawId") or data.get("id")
        if not isinstance(credential_id, str) or len(credential_id) > 255:
            return None
        query = select(Passkey).where(Passkey.credential_id == credential_id)
        if user is not None:
            query = query.where(Passkey.user_id == user.id)
        row = db.session.scalar(query)
        if row is None:
            return None
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(row.public_key),
            credential_current_sign_count=row.sign_count,
            require_user_verification=user is None,
        )
    except INVALID:
        return None
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    db.session.flush()
    audit("passkey.used", row.user_id, passkey_id=row.id)
    return row


def delete_passkey(user: User, passkey_id: int) -> bool:
    """Delete one of the user's own passkeys; False when it is not theirs or gone."""
    query = delete(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    deleted = db.session.execute(query).rowcount == 1
    if deleted:
        audit("passkey.deleted", user.id, passkey_id=passkey_id)
    return deleted
