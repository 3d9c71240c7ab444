"""Device cookies: a browser that has logged in to an account gets a signed, HttpOnly cookie
naming the account. Logins carrying one are counted per device and are not affected by the
lockout of untrusted clients (see lockout.py); a password change makes every older cookie
worthless (the payload names the account's credential generation, which `set_password` bumps).
"""

import secrets

from flask import after_this_request, current_app, has_request_context, request
from itsdangerous import BadData, URLSafeTimedSerializer

from ..models import User

SALT = "httracker.device-cookie"


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def trusted_device(user: User | None) -> str | None:
    """The id of the device this request comes from when its cookie is valid for `user`: signed
    by us, not older than DEVICE_COOKIE_DURATION, for this account and its current password."""
    if user is None or not has_request_context():
        return None
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"], "")
    if not raw or len(raw) > 512:
        return None
    max_age = int(current_app.config["DEVICE_COOKIE_DURATION"].total_seconds())
    try:
        data = serializer().loads(raw, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id:
        return None
    if data.get("g") != user.credential_generation or not isinstance(data.get("d"), str):
        return None
    return data["d"]


def device_cookie_value(user: User) -> str:
    """A new signed device cookie for `user` (a fresh random device id)."""
    payload = {"u": user.id, "g": user.credential_generation, "d": secrets.token_urlsafe(16)}
    return serializer().dumps(payload)


def give_device_cookie(user: User) -> None:
    """Set a new device cookie for `user` on this request's response."""
    value = device_cookie_value(user)
    config = current_app.config

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            config["DEVICE_COOKIE_NAME"],
            value,
            max_age=int(config["DEVICE_COOKIE_DURATION"].total_seconds()),
            path="/",
            secure=config["DEVICE_COOKIE_SECURE"],
            httponly=True,
            samesite=config["DEVICE_COOKIE_SAMESITE"],
        )
        return response
