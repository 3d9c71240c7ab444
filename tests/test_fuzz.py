"""Hostile input on every route: random and malicious form fields and query strings, never a
500, and nothing written when the request is turned away. Routes come from the URL map, so
routes added later are covered without touching this file."""

from datetime import date
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from httracker.extensions import db
from httracker.models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip

from .conftest import PASSWORD
from .test_isolation import add_preview

# Field names our forms use, plus ones they do not: unknown fields must be ignored.
FIELDS = [
    *("login", "password", "remember", "username", "email", "confirm", "next", "csrf_token"),
    *("current_password", "new_password", "confirm_username", "timezone", "week_start"),
    *("name", "category", "target_minutes", "target_period", "habit_id", "date", "minutes"),
    *("note", "file", "format", "q", "from", "to", "period", "id"),
    *("kind", "target_direction", "target_times", "start", "end", "habits", "entry"),
    *("started", "timer_id", "days-0-date", "days-0-minutes", "days-1-date", "days-1-minutes"),
    *("reminder_time", "reminder_weekdays", "weekly_summary", "List-Unsubscribe"),
    *("code", "invite", "credential"),
    "mapping",
]
PAYLOADS = [
    "' OR '1'='1",
    "1; DROP TABLE user_account; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "../../../../etc/passwd",
    "%00",
    "\x00",
    "alice\x00",
    "a\x00' OR 1=1",
    "\u202e\u200b\ufeff",
    "9" * 40,
    "-9" * 20,
    "1e309",
    "NaN",
    "-1",
    "0",
    "2147483648",
    "1.5",
    "9999-99-99",
    "0000-00-00",
    "2026-02-30",
    "true",
    "[]",
    "{}",
    "A" * 100_000,
    "\r\n\t\x0b\x0c\x1b",
]
FORM = "application/x-www-form-urlencoded"
# Rows a rejected request may still write: the login-failure count is the lockout working,
# a refused passkey or code spends its login challenge, and last_seen_at / last_used_at are the
# session or API token being used.
VOLATILE = {("user_session", "last_seen_at"), ("api_token", "last_used_at")}
SKIPPED_TABLES = {"login_failure", "login_challenge"}

values = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50),
    st.text(max_size=20).map(lambda text: text + "\x00" + text),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.binary(max_size=60),  # sent raw: invalid UTF-8 more often than not
)
# Any of the known fields (so a form can get far enough to reach the database), then extra
# pairs that repeat or add fields.
forms = st.tuples(
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)),
    st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=4),
).map(lambda drawn: [*drawn[0].items(), *drawn[1]])


def encode(items) -> str:
    """A form body or query string, raw bytes kept as they are (percent-encoded)."""
    parts = []
    for name, value in items:
        encoded = quote_from_bytes(value) if isinstance(value, bytes) else quote(value, safe="")
        parts.append(f"{quote(name)}={encoded}")
    return "&".join(parts)


def routes(app, method):
    """Every URL rule that answers `method`."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in rule.methods
        and rule.endpoint != "static"
        or (method == "GET" and rule.endpoint == "static")
    ]


def some_routes(app, method, data) -> list:
    """A few of the routes answering `method`, drawn per example: an example holding a form for
    every route would outgrow what hypothesis draws for one example as routes are added."""
    rules = sorted(routes(app, method), key=lambda rule: (rule.rule, rule.endpoint))
    picked = data.draw(
        st.lists(
            st.integers(0, len(rules) - 1), min_size=1, max_size=ROUTES_PER_EXAMPLE, unique=True
        ),
        label=f"{method} routes",
    )
    return [rules[index] for index in picked]


def url_for_rule(app, rule, data) -> str:
    """A URL for `rule` with its variables drawn: ids from tiny to absurd, text from anywhere."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = data.draw(
                st.one_of(st.integers(0, 5), st.integers(0, 10**30)), label=name
            )
        else:
            values[name] = data.draw(st.text(min_size=1, max_size=40), label=name)
    adapter = app.url_map.bind("localhost")
    return adapter.build(
        rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    )


def snapshot(app):
    """Every row of every table (less the volatile columns), to compare before and after."""
    with app.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows = db.session.execute(select(*columns)).all()
            state[table.name] = sorted(map(repr, rows))
        db.session.rollback()
        return state


@pytest.fixture
def seeded(app, make_user):
    """Alice with a habit and a log, a check habit checked and skipped, a break, and an import
    waiting for its confirmation, so ids in URLs can name real rows."""
    alice = make_user("alice")
    with app.app_context():
        habit = Habit(user_id=alice.id, name="Piano")
        checked = Habit(user_id=alice.id, name="Stretch", kind="check", target_times=1)
        db.session.add_all([habit, checked])
        db.session.flush()
        day = date(2026, 1, 5)
        db.session.add(HabitLog(user_id=alice.id, habit_id=habit.id, date=day, minutes=30))
        db.session.add(HabitCheck(user_id=alice.id, habit_id=checked.id, date=day))
        db.session.add(HabitSkip(user_id=alice.id, habit_id=habit.id, date=day))
        entry = HabitBreak(user_id=alice.id, start_date=day, end_date=day, all_habits=False)
        db.session.add(entry)
        db.session.flush()
        db.session.add(HabitBreakHabit(break_id=entry.id, habit_id=checked.id, user_id=alice.id))
        db.session.commit()
    add_preview(app, alice.id, day)
    return alice


def logged_in_client(app):
    client = app.test_client()
    assert (
        client.post("/auth/login", data={"login": "alice", "password": PASSWORD}).status_code == 302
    )
    return client


ROUTES_PER_EXAMPLE = 5
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    # Examples hold several forms, so they are large by design.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FUZZ
@given(data=st.data())
def test_random_posts_never_fail_and_rejections_write_nothing(app, seeded, data):
    # Logged in for the account's routes, anonymous for login and register.
    for client in (logged_in_client(app), app.test_client()):
        for rule in some_routes(app, "POST", data):
            url = url_for_rule(app, rule, data)
            body = encode(data.draw(forms, label=f"{rule.endpoint} form"))
            before = snapshot(app)
            response = client.post(url, data=body, content_type=FORM)
            assert response.status_code < 500, (rule.rule, url, body[:500])
            if response.status_code >= 400:
                assert snapshot(app) == before, (rule.rule, url, body[:500])


@FUZZ
@given(data=st.data())
def test_random_query_strings_never_fail(app, seeded, data):
    for client in (logged_in_client(app), app.test_client()):
        for rule in some_routes(app, "GET", data):
            url = url_for_rule(app, rule, data)
            query = encode(data.draw(forms, label=f"{rule.endpoint} query"))
            with client.get(f"{url}?{query}") as response:
                assert response.status_code < 500, (rule.rule, url, query[:500])


def mail_routes(app, method) -> list:
    """The routes of the mail pages, and the ones that change when the site sends mail."""
    changed = {"auth.register", "auth.login", "settings.change_email", "settings.preferences"}
    changed |= {"habits.new_habit", "habits.edit"}
    return [
        rule
        for rule in routes(app, method)
        if rule.endpoint.startswith("mail.") or rule.endpoint in changed
    ]


def mail_url(app, rule, data, tokens) -> str:
    """A URL for a mail route: a real signed token (reset, confirm, unsubscribe) or junk."""
    values = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = data.draw(
                st.one_of(st.sampled_from(tokens), st.text(min_size=1, max_size=60)), label=name
            )
        else:
            values[name] = data.draw(st.integers(0, 5), label=name)
    adapter = app.url_map.bind("localhost")
    return adapter.build(
        rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    )


@pytest.fixture
def tokens(app, seeded):
    """Valid links of alice's: reset, confirm her address, unsubscribe from a reminder."""
    from httracker.mail.tokens import password_fingerprint, sign
    from httracker.models import User

    with app.app_context():
        alice = db.session.get(User, seeded.id)
        habit_id = db.session.scalar(select(Habit.id).where(Habit.user_id == alice.id))
        return [
            sign("reset", {"u": alice.id, "p": password_fingerprint(alice.password_hash)}),
            sign("confirm", {"u": alice.id, "e": alice.email, "k": "verify"}),
            sign("unsubscribe", {"u": alice.id, "h": habit_id}),
            sign("unsubscribe", {"u": alice.id, "s": 1}),
        ]


@FUZZ
@given(data=st.data())
def test_with_mail_on_random_posts_never_fail_and_rejections_write_nothing(
    app, seeded, mail_on, tokens, data
):
    for client in (logged_in_client(app), app.test_client()):
        rules = mail_routes(app, "POST")
        for rule in data.draw(st.lists(st.sampled_from(rules), min_size=1, max_size=3)):
            url = mail_url(app, rule, data, tokens)
            body = encode(data.draw(forms, label=f"{rule.endpoint} form"))
            before = snapshot(app)
            response = client.post(url, data=body, content_type=FORM)
            assert response.status_code < 500, (rule.rule, url, body[:500])
            if response.status_code >= 400:
                assert snapshot(app) == before, (rule.rule, url, body[:500])


@FUZZ
@given(data=st.data())
def test_with_mail_on_random_query_strings_never_fail(app, seeded, mail_on, tokens, data):
    for client in (logged_in_client(app), app.test_client()):
        rules = mail_routes(app, "GET")
        for rule in data.draw(st.lists(st.sampled_from(rules), min_size=1, max_size=3)):
            url = mail_url(app, rule, data, tokens)
            query = encode(data.draw(forms, label=f"{rule.endpoint} query"))
            with client.get(f"{url}?{query}") as response:
                assert response.status_code < 500, (rule.rule, url, query[:500])


def test_the_mail_fuzz_covers_every_mail_route(app):
    endpoints = {rule.endpoint for rule in mail_routes(app, "POST")}
    endpoints |= {rule.endpoint for rule in mail_routes(app, "GET")}
    mail_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    mail_endpoints = {name for name in mail_endpoints if name.startswith("mail.")}
    assert len(mail_endpoints) == 5 and mail_endpoints <= endpoints


@pytest.mark.parametrize(
    "body",
    [
        "login=alice%00&password=x",
        "login=%FF%FE%00&password=%C3%28",
        "username=al%00ice&email=a%40b.c&password=x&confirm=x",
        "login=alice&login=bob&password=1&password=2",
    ],
)
def test_nul_bytes_invalid_utf8_and_repeated_fields_are_a_clean_400(app, seeded, body):
    response = app.test_client().post("/auth/login", data=body, content_type=FORM)
    assert response.status_code == 400


def test_fuzz_covers_the_routes_that_matter(app):
    posts = {rule.endpoint for rule in routes(app, "POST")}
    gets = {rule.endpoint for rule in routes(app, "GET")}
    assert {"auth.login", "auth.register", "settings.change_password", "settings.revoke"} <= posts
    assert {"habits.check", "habits.unskip", "settings.breaks", "settings.delete_break"} <= posts
    assert {
        "habits.dashboard",
        "settings.sessions",
        "settings.breaks",
        "static",
        "timer.stop",
    } <= gets
    assert {"timer.start", "timer.stop", "timer.discard"} <= posts
    assert {"auth.second_step", "auth.passkey_login", "auth.second_step_passkey"} <= posts
    assert {"settings.totp_setup", "settings.totp_disable", "settings.add_passkey"} <= posts
    assert {"settings.delete_passkey", "settings.recovery_codes"} <= posts
    assert {"settings.import_confirm", "settings.import_mapping", "settings.import_cancel"} <= posts
    assert "settings.import_preview" in gets


def test_bodies_over_the_limit_get_the_413_page_on_every_post_route(app, seeded):
    client = logged_in_client(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = "note=" + "x" * limit
    for rule in routes(app, "POST"):
        adapter = app.url_map.bind("localhost")
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method="POST")
        response = client.post(url, data=body, content_type=FORM)
        assert response.status_code == 413, url
        # The import form explains the size limit of its own files; others get the 413 page.
        upload = url.endswith("/settings/import")
        expected = b"split it and import the parts" if upload else b"Upload too large"
        assert expected in response.data, url
        assert "Content-Security-Policy" in response.headers
