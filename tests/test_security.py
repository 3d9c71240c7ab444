"""Building blocks of the security rules: password strength, deployment checks, audit lines,
and input no view should ever see."""

import json
import logging
import secrets

import pytest

from config import deployment_warnings, load_config
from httracker.audit import audit
from httracker.auth.passwords import password_problem

PRODUCTION_KEY = secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    "password",
    ["password1234", "qwertyuiop", "aaaaaaaaaaaa", "1234567890", "iloveyou123"],
)
def test_guessable_passwords_get_advice(password):
    problem = password_problem(password, ["alice", "alice@example.com"])
    assert problem and len(problem) > 10


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "vq7#Lm2!xZ", "quartz lantern meadow 42", "ü" * 3 + "x9!Kp2#qL"],
)
def test_strong_passwords_pass(password):
    assert password_problem(password) is None


def test_the_users_own_name_makes_a_password_weaker():
    assert password_problem("zebulonfrankly7", []) is None
    assert password_problem("zebulonfrankly7", ["zebulonfrankly"]) is not None


def test_very_long_passwords_are_checked_without_error():
    assert password_problem("correct horse battery " + "x" * 2000) is None


def test_memory_rate_limits_are_flagged_with_several_workers():
    settings = load_config({"ENV": "production", "SECRET_KEY": PRODUCTION_KEY, "ALLOW_SQLITE": "1"})
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert deployment_warnings(settings, workers=1) == []
    (warning,) = deployment_warnings(settings, workers=2)
    assert "RATELIMIT_STORAGE_URI" in warning
    shared = load_config(
        {
            "ENV": "production",
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOW_SQLITE": "1",
            "RATELIMIT_STORAGE_URI": "redis://r:6379/0",
        }
    )
    assert deployment_warnings(shared, workers=4) == []


def test_rate_limit_settings_come_from_the_environment():
    settings = load_config(
        {"RATELIMIT_STORAGE_URI": "redis://cache:6379/2", "AUTH_RATE_LIMIT": "10/minute"}
    )
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"
    assert settings["AUTH_RATE_LIMIT"] == "10/minute"
    assert load_config({})["AUTH_RATE_LIMIT"] == "30/minute;300/hour"


def test_audit_lines_are_one_json_object_each(app, caplog):
    caplog.set_level(logging.INFO, logger="httracker.audit")
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        audit("login.failure", 42, reason="line\nbreak")
    (record,) = caplog.records
    assert "\n" not in record.getMessage()
    line = json.loads(record.getMessage())
    assert line["event"] == "login.failure" and line["user_id"] == 42
    assert line["ip"] == "192.0.2.7" and line["reason"] == "line\nbreak"


@pytest.mark.parametrize(
    "path",
    ["/settings/sessions/99999999999999999999999/revoke", "/settings/sessions/2147483648/revoke"],
)
def test_impossible_ids_are_a_404(client, user, path):
    assert client.post(path).status_code == 404


def test_nul_in_a_query_string_is_a_400(client, user):
    assert client.get("/dashboard?x=%00").status_code == 400
