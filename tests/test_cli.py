"""`flask users …` and the rules every command follows: clear help, one-line errors."""

import html
import re

import pytest
from sqlalchemy import func, select

from httracker.cli import accounts as users_cli
from httracker.extensions import db
from httracker.models import Habit, HabitLog, User

from .conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def can_log_in(app, login, password) -> bool:
    """Whether the login form accepts these credentials (a fresh browser each time)."""
    response = app.test_client().post("/auth/login", data={"login": login, "password": password})
    return response.status_code == 302


def assert_one_line_error(result, text):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and text in lines[0], result.output


def test_create_reads_password_from_piped_input(app, runner):
    result = runner.invoke(
        args=["users", "create", "carol", "Carol@Example.com"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created user carol" in result.output
    assert can_log_in(app, "carol", PASSWORD)
    with app.app_context():
        email = db.session.scalar(select(User.email).where(User.username == "carol"))
        assert email == "carol@example.com"


def test_create_prompts_twice_with_hidden_input(app, runner, monkeypatch):
    monkeypatch.setattr(users_cli, "stdin_is_interactive", lambda: True)
    result = runner.invoke(
        args=["users", "create", "carol", "carol@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert can_log_in(app, "carol", PASSWORD)


@pytest.mark.parametrize(
    ("args", "password_input", "message"),
    [
        (["x", "x@example.com"], f"{PASSWORD}\n", "Invalid username"),
        (["carol", "not-an-email"], f"{PASSWORD}\n", "Invalid email"),
        (["alice", "new@example.com"], f"{PASSWORD}\n", "is taken"),
        (["ALICE", "new@example.com"], f"{PASSWORD}\n", "is taken"),
        (["carol", "ALICE@example.com"], f"{PASSWORD}\n", "already exists"),
        (["carol", "carol@example.com"], "short\n", "10–1024 characters"),
        (["carol", "carol@example.com"], f"{PASSWORD}\nsomething else\n", "do not match"),
        (["carol", "carol@example.com"], "", "No password"),
    ],
)
def test_create_applies_the_web_form_rules(app, runner, make_user, args, password_input, message):
    make_user("alice")
    result = runner.invoke(args=["users", "create", *args], input=password_input)
    assert_one_line_error(result, message)
    assert count(app, User) == 1


def test_list_shows_counts_per_user(app, runner, make_user, make_habit):
    from datetime import date

    alice = make_user("alice")
    make_user("bob")
    make_habit(
        alice.id, "Reading", logs=[(date(2024, 1, 1), 30, None), (date(2024, 1, 2), 20, "x")]
    )
    make_habit(alice.id, "Running")
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "username", "email", "habits", "logs", "created"]
    alice_row, bob_row = lines[1].split(), lines[2].split()
    assert alice_row[:5] == [str(alice.id), "alice", "alice@example.com", "2", "2"]
    assert bob_row[1:5] == ["bob", "bob@example.com", "0", "0"]


def test_set_password_changes_it_and_signs_out_everywhere(app, runner, make_user):
    make_user("alice")
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        login = {"login": "alice", "password": PASSWORD, "remember": "y"}
        assert device.post("/auth/login", data=login).status_code == 302
        assert device.get("/dashboard").status_code == 200
    result = runner.invoke(args=["users", "set-password", "Alice"], input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "signed out everywhere" in result.output
    for device in (laptop, phone):
        # Session and remember-me cookies alike now land on the login page.
        assert device.get("/dashboard").status_code == 302
    assert not can_log_in(app, "alice", PASSWORD)
    assert can_log_in(app, "alice", NEW_PASSWORD)


def test_set_password_rejects_a_guessable_one(app, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["users", "set-password", "alice"], input="alice12345\n")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert can_log_in(app, "alice", PASSWORD)


def test_set_password_rejects_a_short_one_and_keeps_the_old(app, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["users", "set-password", "alice"], input="short\n")
    assert_one_line_error(result, "characters")
    assert can_log_in(app, "alice", PASSWORD)


def test_delete_asks_for_confirmation(app, runner, make_user, make_habit):
    from datetime import date

    alice = make_user("alice")
    make_habit(alice.id, logs=[(date(2024, 1, 1), 30, None)])
    result = runner.invoke(args=["users", "delete", "alice"], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
    assert count(app, User) == 1
    result = runner.invoke(args=["users", "delete", "alice"], input="y\n")
    assert result.exit_code == 0, result.output
    assert (count(app, User), count(app, Habit), count(app, HabitLog)) == (0, 0, 0)


def test_delete_with_yes_removes_only_that_user(app, runner, make_user, make_habit):
    from datetime import date

    alice, bob = make_user("alice"), make_user("bob")
    make_habit(alice.id, logs=[(date(2024, 1, 1), 30, None)])
    make_habit(bob.id, logs=[(date(2024, 1, 1), 40, None)])
    result = runner.invoke(args=["users", "delete", "alice", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["bob"]
        assert db.session.scalars(select(HabitLog.minutes)).all() == [40]


@pytest.mark.parametrize(
    "args",
    [
        ["users", "set-password", "nobody"],
        ["users", "delete", "nobody", "--yes"],
        ["export", "nobody"],
    ],
)
def test_unknown_user_is_a_one_line_error(runner, args):
    assert_one_line_error(runner.invoke(args=args, input=f"{PASSWORD}\n"), "No user named 'nobody'")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["users"], "Manage user accounts"),
        (["users", "create"], "asks for the password twice"),
        (["users", "list"], "id, username, email, habits, logs, created"),
        (["users", "set-password"], "sign the user out everywhere"),
        (["users", "delete"], "--yes"),
        (["demo"], "--seed"),
        (["export"], "--format"),
        (["import"], "all or nothing"),
        (["transfer"], "SOURCE_URL"),
        (["check-deploy"], "exits non-zero"),
    ],
)
def test_every_command_has_help(runner, args, words):
    result = runner.invoke(args=[*args, "--help"])
    assert result.exit_code == 0
    assert words in " ".join(result.output.split())


def web_field_error(response, field_id: str) -> str:
    """The inline error text shown under one form field."""
    found = re.search(rf'id="{field_id}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert found, f"no error shown for {field_id}"
    return html.unescape(found.group(1))


def cli_error(result) -> str:
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    return line.removeprefix("Error: ")


@pytest.mark.parametrize("bad", ["password1234", "alicealice1", "Alice@example.com1", "short"])
def test_a_bad_new_password_gets_the_same_message_on_the_web_and_the_cli(
    app, client, user, runner, bad
):
    data = {"current_password": PASSWORD, "new_password": bad, "confirm": bad}
    web = web_field_error(client.post("/settings/password", data=data), "new_password")
    result = runner.invoke(args=["users", "set-password", "alice"], input=f"{bad}\n")
    assert result.exit_code == 1
    cli = cli_error(result)
    # The web form shows every broken rule at once; the CLI the first, in the same words.
    assert web.startswith(cli)
    assert can_log_in(app, "alice", PASSWORD)


@pytest.mark.parametrize("bad", ["password1234", "carolcarol1", "short"])
def test_a_bad_first_password_gets_the_same_message_on_the_web_and_the_cli(app, runner, bad):
    data = {"username": "carol", "email": "carol@example.com", "password": bad, "confirm": bad}
    web = web_field_error(app.test_client().post("/auth/register", data=data), "password")
    result = runner.invoke(args=["users", "create", "carol", "carol@example.com"], input=f"{bad}\n")
    assert result.exit_code == 1
    assert web.startswith(cli_error(result))
    assert count(app, User) == 0
