"""The session cookie: written as plain JSON where the session holds only JSON's types, as
Flask's tagged JSON otherwise; cookies of either form, and of Flask's own interface, read back."""

import json
from datetime import UTC, datetime

from flask import get_flashed_messages, session
from flask.sessions import SecureCookieSessionInterface, session_json_serializer

from httracker.session_cookie import SessionCookie


def opened(app, cookie: str) -> dict:
    """The session a request carrying this cookie sees, and its flashed messages."""
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        return {**session, "messages": get_flashed_messages(with_categories=True)}


def test_a_session_of_json_types_is_written_as_plain_json_and_read_back(app):
    interface = app.session_interface
    assert isinstance(interface, SessionCookie)
    data = {"next": "/habits/", "n": 3, "_fresh": True, "_flashes": [("success", "Logged 1h.")]}
    text = interface.serializer.dumps(data)
    assert json.loads(text) == {**data, "_flashes": [["success", "Logged 1h."]]}
    assert " t" not in text  # no tag for the pair
    cookie = interface.get_signing_serializer(app).dumps(data)
    seen = opened(app, cookie)
    assert seen["next"] == "/habits/" and seen["n"] == 3 and seen["_fresh"] is True
    # The page unpacks a message as it did a pair.
    assert [(category, message) for category, message in seen["messages"]] == [
        ("success", "Logged 1h.")
    ]


def test_a_value_plain_json_cannot_hold_is_written_tagged(app):
    interface = app.session_interface
    when = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    data = {"seen": when, "next": "/"}
    assert interface.serializer.dumps(data) == session_json_serializer.dumps(data)
    cookie = interface.get_signing_serializer(app).dumps(data)
    assert opened(app, cookie)["seen"] == when


def test_a_cookie_of_flasks_own_session_is_read(app):
    """Cookies written before (tagged, the message a tuple) still open."""
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = flasks.dumps({"next": "/logs/", "_flashes": [("info", "Saved.")]})
    seen = opened(app, cookie)
    assert seen["next"] == "/logs/" and seen["messages"] == [("info", "Saved.")]


def test_the_signing_serializer_is_made_once_per_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"next": "/"})
    old_key, fallbacks = app.secret_key, app.config["SECRET_KEY_FALLBACKS"]
    app.secret_key = "another key, the old one kept as a fallback"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    try:
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        assert opened(app, cookie)["next"] == "/"  # signed with the old key: still read
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert "next" not in opened(app, cookie)  # the old key dropped: not read
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = fallbacks
