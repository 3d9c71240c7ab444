"""The session cookie: Flask's signed cookie, read and written for less.

Flask builds the cookie's signing serializer afresh at every read and every write, and writes
the session through its tagged JSON, which walks every value to mark tuples, bytes, datetimes
and the like. This session holds strings, numbers, booleans and the flashed messages (pairs):
the serializer is made once per key, and the session is written as plain JSON whenever it
holds only JSON's own types (a pair becomes a two-item list, which the page unpacks alike),
else tagged as before (a Markup message would come back as text, escaped when shown: nothing
flashes one). Reading takes either form, so cookies written before still work."""

import json

from flask import Flask
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import URLSafeTimedSerializer


class SessionJSON:
    """Plain JSON out where it can be, Flask's tagged JSON in."""

    @staticmethod
    def dumps(value) -> str:
        try:
            return json.dumps(value, separators=(",", ":"))
        except TypeError:  # a value plain JSON has no form for
            return session_json_serializer.dumps(value)

    @staticmethod
    def loads(value):
        return session_json_serializer.loads(value)


class SessionCookie(SecureCookieSessionInterface):
    serializer = SessionJSON()

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key, False)
        if found is False:
            found = self._serializers[key] = super().get_signing_serializer(app)
        return found


def register(app: Flask) -> None:
    app.session_interface = SessionCookie()
