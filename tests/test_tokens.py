"""Personal access tokens on the settings page and the command line: shown once, stored as a
hash, listed, revoked; a new password and a deleted account revoke them all."""

import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import ApiIdempotencyKey, ApiToken, User

from .conftest import PASSWORD, ApiClient

SECRET = re.compile(r'value="(htt_[A-Za-z0-9_-]+)"')


def tokens_of(app, user_id) -> list[ApiToken]:
    with app.app_context():
        rows = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def create(client, **fields):
    data = {"name": "Phone shortcut", "scope": "write", "expires_in_days": "", **fields}
    response = client.post("/settings/tokens", data=data)
    assert response.status_code == 200
    return SECRET.search(response.get_data(as_text=True)).group(1)


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(app, client, user):
    secret = create(client)
    assert secret.startswith("htt_") and len(secret) >= 4 + 43  # 256 random bits
    (row,) = tokens_of(app, user.id)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12] and (row.name, row.scope) == ("Phone shortcut", "write")
    with app.app_context():
        stored = " ".join(
            repr(tuple(r))
            for table in db.metadata.sorted_tables
            for r in db.session.execute(select(table))
        )
    assert secret not in stored
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in page and "Phone shortcut" in page and secret[:12] in page
    assert "never" in page  # not used yet, no expiry
    assert ApiClient(client, secret).get("/api/v1/me").status_code == 200


def test_the_list_shows_scope_created_last_used_and_expiry(app, client, user):
    secret = create(client, name="Sheet", scope="read", expires_in_days="30")
    ApiClient(client, secret).get("/api/v1/me")
    (row,) = tokens_of(app, user.id)
    assert (row.expires_at - row.created_at).days == 30
    with app.app_context():
        db.session.get(User, user.id).timezone = "Asia/Tokyo"
        db.session.commit()
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert "Sheet" in page and ">read<" in page
    # Times as the user's clock shows them, the UTC moment kept for machines.
    for moment in (row.created_at, row.expires_at, row.last_used_at):
        tokyo = moment.astimezone(ZoneInfo("Asia/Tokyo"))
        text = f"{tokyo:%a} {tokyo.day} {tokyo:%b %Y}, {tokyo:%H:%M} JST"
        assert f'<time datetime="{moment.isoformat(timespec="seconds")}">{text}</time>' in page
    assert " UTC<" not in page and not re.search(r">\d{4}-\d\d-\d\d", page)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"scope": "admin"}, "Not a valid choice."),
        ({"expires_in_days": "5"}, "Not a valid choice."),
    ],
)
def test_bad_token_forms_are_inline_400s(app, client, user, fields, message):
    data = {"name": "ok", "scope": "read", "expires_in_days": "", **fields}
    response = client.post("/settings/tokens", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert tokens_of(app, user.id) == []


def test_revoking_a_token_ends_it_and_another_users_is_a_404(
    app, client, user, make_user, make_token
):
    secret = create(client)
    bob = make_user("bob")
    make_token(bob.id)
    (mine,), (bobs,) = tokens_of(app, user.id), tokens_of(app, bob.id)
    assert client.post(f"/settings/tokens/{bobs.id}/revoke").status_code == 404
    assert len(tokens_of(app, bob.id)) == 1
    response = client.post(f"/settings/tokens/{mine.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/tokens"
    assert ApiClient(client, secret).get("/api/v1/me").status_code == 401
    assert client.post(f"/settings/tokens/{mine.id}/revoke").status_code == 404


def test_changing_the_password_revokes_every_token(app, client, user, make_token):
    secrets = [make_token(user.id), make_token(user.id, scope="read")]
    data = {
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase here",
        "confirm": "a brand new passphrase here",
    }
    assert client.post("/settings/password", data=data).status_code == 302
    assert tokens_of(app, user.id) == []
    for secret in secrets:
        assert ApiClient(client, secret).get("/api/v1/me").status_code == 401
    page = client.get("/settings/").get_data(as_text=True)
    assert "every API token revoked" in page


def test_set_password_on_the_command_line_revokes_every_token(app, runner, make_user, make_token):
    alice = make_user("alice")
    make_token(alice.id)
    result = runner.invoke(
        args=["users", "set-password", "alice"], input="another fine passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert tokens_of(app, alice.id) == []


def test_deleting_the_account_revokes_its_tokens_and_keys(app, client, user, make_user, make_token):
    secret = make_token(user.id)
    bob = make_user("bob")
    bobs = make_token(bob.id)
    api = ApiClient(client, secret)
    habit = api.post("/api/v1/habits", json={"name": "Walk"}, headers={"Idempotency-Key": "a"})
    assert habit.status_code == 201
    ApiClient(client, bobs).post(
        "/api/v1/habits", json={"name": "Walk"}, headers={"Idempotency-Key": "a"}
    )
    data = {"current_password": PASSWORD, "confirm_username": "alice"}
    assert client.post("/settings/delete", data=data).status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert db.session.get(User, user.id) is None
        keys = db.session.scalars(select(ApiIdempotencyKey.user_id)).all()
        assert keys == [bob.id]
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_the_command_line_makes_a_token(app, client, runner, make_user):
    alice = make_user("alice")
    made = runner.invoke(args=["tokens", "create", "alice", "--scope", "write", "--days", "7"])
    assert made.exit_code == 0, made.output
    missing = runner.invoke(args=["tokens", "create", "nobody"])
    assert missing.exit_code == 1 and "No user named 'nobody'" in missing.output
    (row,) = tokens_of(app, alice.id)
    assert (row.scope, (row.expires_at - row.created_at).days) == ("write", 7)
    me = ApiClient(client, made.output.strip()).get("/api/v1/me").get_json()
    assert me["token"]["scope"] == "write"


def test_the_command_line_revokes_an_accounts_tokens(app, runner, make_user, make_token):
    alice = make_user("alice")
    make_token(alice.id)
    revoked = runner.invoke(args=["tokens", "revoke", "alice"])
    assert revoked.output.strip() == "Revoked 1 token of alice."
    assert tokens_of(app, alice.id) == []
