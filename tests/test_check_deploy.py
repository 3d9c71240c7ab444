"""`flask check-deploy`: each check fails for its problem, and a correct deployment passes."""

import secrets

import pytest
from sqlalchemy.engine import make_url

from config import secret_key_problem
from httracker import create_app
from httracker.deploycheck import run_checks
from httracker.extensions import db

GOOD_KEY = secrets.token_urlsafe(48)


@pytest.fixture
def make_app(database_url):
    """An app with production settings on the test database, changed by `overrides`."""
    apps = []

    def make(**overrides):
        settings = {
            "ENV": "production",
            "SECRET_KEY": GOOD_KEY,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "SITE_URL": "https://habits.example.com",
            "REGISTRATION": "invite",
        }
        settings["SQLALCHEMY_DATABASE_URI"] = database_url
        app = create_app({**settings, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def failures(app):
    return {result.name: result for result in run_checks(app) if not result.ok}


def check_deploy(app):
    return app.test_cli_runner().invoke(args=["check-deploy"])


def test_a_correct_production_deployment_passes(app, make_app, database_url):
    production = make_app()
    result = check_deploy(production)
    if make_url(database_url).get_backend_name() == "sqlite":
        # SQLite is itself a failed check in production; everything else passes.
        assert set(failures(production)) == {"database"}
        assert result.exit_code == 1
    else:
        assert result.exit_code == 0, result.output
        assert "All 10 checks passed." in result.output
        assert "FAIL" not in result.output


@pytest.mark.parametrize(
    "key",
    ["x" * 40, "abcabcabcabcabcabcabcabcabcabcabcabc", "please-change-this-secret-key-0123456789"],
)
def test_a_weak_key_gets_the_same_answer_at_start_up_and_from_check_deploy(
    make_app, database_url, key
):
    problem = secret_key_problem(key)
    with pytest.raises(SystemExit) as refused:
        create_app(
            {"ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": database_url}
        )
    assert problem in str(refused.value.code)
    # Only an app started outside production gets as far as running the checklist.
    result = check_deploy(make_app(ENV="development", SECRET_KEY=key))
    assert result.exit_code == 1
    assert f"[FAIL] secret key: {problem}" in result.output
    assert "fix: Set SECRET_KEY" in result.output
    assert result.output.splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("key", "problem"),
    [("", "not set"), ("short", "5 characters"), (GOOD_KEY, None)],
)
def test_secret_key_rules(key, problem):
    found = secret_key_problem(key)
    assert (found is None) if problem is None else (problem in found)


def test_production_refuses_to_start_with_a_short_key(database_url):
    with pytest.raises(SystemExit, match="SECRET_KEY has 5 characters"):
        create_app(
            {"ENV": "production", "SECRET_KEY": "short", "SQLALCHEMY_DATABASE_URI": database_url}
        )


def test_sqlite_fails_in_production(make_app, tmp_path):
    production = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}")
    found = failures(production)
    assert "SQLite is in use in production" in found["database"].message
    assert "flask transfer" in found["database"].fix


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("SESSION_COOKIE_SECURE", False, "SESSION_COOKIE_SECURE is off"),
        ("REMEMBER_COOKIE_SECURE", False, "REMEMBER_COOKIE_SECURE is off"),
        ("SESSION_COOKIE_HTTPONLY", False, "SESSION_COOKIE_HTTPONLY is off"),
        ("SESSION_COOKIE_SAMESITE", None, "SESSION_COOKIE_SAMESITE is None"),
        ("DEVICE_COOKIE_SECURE", False, "DEVICE_COOKIE_SECURE is off"),
        ("DEVICE_COOKIE_SAMESITE", "None", "DEVICE_COOKIE_SAMESITE is 'None'"),
    ],
)
def test_insecure_cookies_fail(make_app, setting, value, words):
    found = failures(make_app(**{setting: value}))
    assert words in found["cookies"].message


def test_debug_fails(make_app):
    found = failures(make_app(DEBUG=True))
    assert "Debug mode is on" in found["debug"].message


def test_pending_migrations_fail(make_app, tmp_path):
    found = failures(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.sqlite'}"))
    assert "migrations are pending" in found["migrations"].message
    assert "flask db upgrade" in found["migrations"].fix


def test_an_unreachable_database_fails(make_app, tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "db.sqlite"
    found = failures(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}"))
    assert "cannot be reached" in found["migrations"].message


def test_development_settings_fail(app):
    found = failures(app)  # the test suite's own app runs with ENV=testing
    assert "ENV is 'testing'" in found["environment"].message
    assert "cookies" in found and "migrations" not in found


def test_in_memory_rate_limits_fail_with_several_workers(make_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    found = failures(make_app(RATELIMIT_STORAGE_URI="memory://"))
    assert found["rate limits"].message == (
        "gunicorn runs 4 workers (WEB_CONCURRENCY=4) and RATELIMIT_STORAGE_URI is memory://: "
        "each worker counts login attempts on its own, so a client gets 4 times the "
        "AUTH_RATE_LIMIT."
    )
    assert "redis://" in found["rate limits"].fix
    assert "WEB_CONCURRENCY=1" in found["rate limits"].fix
    assert "rate limits" not in failures(make_app())  # shared Redis


def test_in_memory_rate_limits_are_a_warning_with_one_worker(make_app, monkeypatch, database_url):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    production = make_app(RATELIMIT_STORAGE_URI="memory://")
    (limits,) = [result for result in run_checks(production) if result.name == "rate limits"]
    assert limits.ok and limits.warning
    assert "one gunicorn worker" in limits.message and "restart forgets" in limits.message
    result = check_deploy(production)
    assert "[warn] rate limits: Login limits are counted in memory" in result.output
    assert "note: Before adding workers or instances" in result.output
    if make_url(database_url).get_backend_name() != "sqlite":
        assert result.exit_code == 0, result.output
        assert "All 10 checks passed (1 with a warning)." in result.output


def test_sqlite_is_a_warning_in_production_when_allowed(make_app, tmp_path):
    production = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}", ALLOW_SQLITE=True
    )
    (database,) = [result for result in run_checks(production) if result.name == "database"]
    assert database.ok and database.warning
    assert "ALLOW_SQLITE" in database.message and "disk survives deploys" in database.message


def mail_result(app):
    (result,) = [result for result in run_checks(app) if result.name == "mail"]
    return result


def test_mail_off_is_reported(make_app):
    result = mail_result(make_app())
    assert result.ok and not result.warning
    assert "MAIL_SERVER is not set" in result.message


def test_mail_with_its_server_and_site_url_is_reported(make_app):
    production = make_app(
        MAIL_SERVER="smtp.example.org",
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        SITE_URL="https://habits.example.org",
    )
    result = mail_result(production)
    assert result.ok and not result.warning
    assert "smtp.example.org:587 with STARTTLS" in result.message
    assert "https://habits.example.org" in result.message
    assert "[ok] mail: Mail goes through" in check_deploy(production).output


def test_unencrypted_mail_to_another_host_is_a_warning(make_app):
    production = make_app(MAIL_SERVER="smtp.example.org", SITE_URL="https://habits.example.org")
    result = mail_result(production)
    assert result.ok and result.warning and "not encrypted" in result.message
    assert "MAIL_USE_TLS=1" in result.fix


@pytest.mark.parametrize("site_url", ["", "http://habits.example.org"])
def test_production_refuses_mail_without_an_https_site_url(database_url, site_url):
    with pytest.raises(SystemExit) as refused:
        create_app(
            {
                "ENV": "production",
                "SECRET_KEY": GOOD_KEY,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "MAIL_SERVER": "smtp.example.org",
                "SITE_URL": site_url,
            }
        )
    assert "SITE_URL" in str(refused.value)


def test_check_deploy_fails_mail_without_a_site_url_outside_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "SITE_URL", "")
    result = mail_result(app)
    assert not result.ok and "SITE_URL is not" in result.message


def test_open_registration_is_a_warning_in_production(make_app):
    checks = run_checks(make_app(REGISTRATION="open"))
    (result,) = [r for r in checks if r.name == "registration"]
    assert result.ok and result.warning and "anybody" in result.message
    assert "REGISTRATION=invite" in result.fix
    for policy in ("invite", "closed"):
        (result,) = [
            r for r in run_checks(make_app(REGISTRATION=policy)) if r.name == "registration"
        ]
        assert result.ok and not result.warning and policy in result.message


def test_an_unknown_registration_policy_refuses_to_start(database_url):
    with pytest.raises(SystemExit, match="REGISTRATION must be one of open, invite, closed"):
        create_app(
            {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "REGISTRATION": "maybe"}
        )


@pytest.mark.parametrize(
    ("site", "words"),
    [
        ("", "not set"),
        ("http://habits.example.com", "not an https"),
        ("https://habits.example.com/app", "has a path"),
        ("https://192.0.2.7", "IP address"),
        ("https://[2001:db8::1]", "IP address"),
    ],
)
def test_site_url_must_name_the_passkey_relying_party(make_app, site, words):
    found = failures(make_app(SITE_URL=site))
    assert words in found["site url"].message and "SITE_URL" in found["site url"].fix


def test_a_good_site_url_names_the_relying_party(make_app):
    (result,) = [r for r in run_checks(make_app()) if r.name == "site url"]
    assert result.ok and "habits.example.com" in result.message
