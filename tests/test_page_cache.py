"""Rendered pages kept under the account's data version (pagecache.py, versions.py): served
again only while nothing of the account changed, never to anyone else, with each session's own
CSRF token; every kind of write shows on every kept page at once."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from httracker.extensions import db
from httracker.models import HabitLog, HabitMonthTotal, HabitStatsState, User
from httracker.pagecache import EXTENSION, PAGES_PER_ACCOUNT, Page, PageStore

from .conftest import PASSWORD

TODAY = date(2024, 5, 15)
PAGES = (
    "/dashboard",
    "/habits/",
    "/logs/",
    "/analytics/?range=30d",
    "/analytics/?range=all",
    "/analytics/data.json?range=365d",
)
# A signed CSRF token (itsdangerous: the JSON string of the session's raw token, a time, a MAC).
TOKEN = re.compile(r"I[jm][A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


@pytest.fixture
def client(app):
    """A client that keeps no context after a request, so a second client's requests never
    share its `g` (see test_sessions.py)."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _today(pin_today):
    pin_today(TODAY)


def tokens_out(body: bytes) -> str:
    return TOKEN.sub("TOKEN", body.decode())


def afresh(app, client, url, monkeypatch) -> str:
    """The page rendered with no store at all."""
    with monkeypatch.context() as patch:
        patch.setitem(app.extensions, EXTENSION, None)
        response = client.get(url)
    assert response.status_code == 200, url
    return tokens_out(response.data)


def served(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return tokens_out(response.data)


def version(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(select(User.data_version).where(User.id == user_id))


@pytest.fixture
def alice(user, make_habit, app, client):
    """Alice (logged in) with a timed habit, a check habit and a few logs."""
    reading = make_habit(
        user.id,
        "Sketching",
        target_minutes=30,
        logs=[(TODAY - timedelta(days=back), 20 + back, None) for back in range(0, 40, 3)],
    )
    meds = make_habit(user.id, "Vitamins", kinds={"kind": "check", "times": 1})
    user.reading, user.meds = reading, meds
    client.get("/settings/")  # shows (and so uses up) the login's message
    return user


def test_a_page_is_served_again_with_one_query_until_something_changes(
    app, client, alice, count_queries, monkeypatch
):
    client.get("/dashboard")  # once per login: the UTC notice, not kept
    first = client.get("/dashboard")
    with count_queries() as kept:
        again = client.get("/dashboard")
    with monkeypatch.context() as patch:
        patch.setitem(app.extensions, EXTENSION, None)
        with count_queries() as rendered:
            fresh = client.get("/dashboard")
    assert tokens_out(first.data) == tokens_out(again.data) == tokens_out(fresh.data)
    assert "Sketching" in again.get_data(as_text=True)
    # Loading the user (the session row, its touch, SQLite's BEGIN) is all a kept page costs.
    assert kept.count <= 4 < rendered.count
    assert not any("habit_log" in statement for statement in kept.statements)
    assert any("habit_log" in statement for statement in rendered.statements)


def test_the_csrf_token_is_each_sessions_own_and_works(app, client, alice, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client.get("/dashboard")  # once per login: the UTC notice, not kept
    first = client.get("/dashboard").get_data(as_text=True)
    other = app.test_client()
    login_page = other.get("/auth/login").get_data(as_text=True)
    login_token = TOKEN.search(login_page).group(0)
    other.post(
        "/auth/login", data={"login": "alice", "password": PASSWORD, "csrf_token": login_token}
    )
    other.get("/settings/")
    other.get("/dashboard")
    page = other.get("/dashboard").get_data(as_text=True)
    assert tokens_out(page.encode()) == tokens_out(first.encode())
    token = TOKEN.search(page).group(0)
    assert token not in first
    logged = other.post(f"/habits/{alice.reading}/log", data={"minutes": "7", "csrf_token": token})
    assert logged.status_code == 302
    with app.app_context():
        assert db.session.scalar(
            select(HabitLog.minutes).where(HabitLog.date == TODAY, HabitLog.minutes == 7)
        )
    forged = other.post(
        f"/habits/{alice.reading}/log", data={"minutes": "7", "csrf_token": "pagecache"}
    )
    assert forged.status_code == 400


def test_nobody_is_served_anothers_page(app, client, alice, make_user, make_habit):
    for url in PAGES:
        client.get(url)
        client.get(url)
    bob = make_user("bob")
    make_habit(bob.id, "Juggling")
    other = app.test_client()
    other.post("/auth/login", data={"login": "bob", "password": PASSWORD})
    for url in PAGES:
        page = other.get(url).get_data(as_text=True)
        assert "Juggling" in page and "Sketching" not in page, url


def test_a_message_is_shown_once_and_its_page_not_kept(client, alice):
    client.get("/dashboard")
    client.post(f"/habits/{alice.reading}/log", data={"minutes": "5"})
    assert "Logged 5m of Sketching today." in client.get("/dashboard").get_data(as_text=True)
    assert "Logged 5m of Sketching today." not in client.get("/dashboard").get_data(as_text=True)


def test_a_running_timer_is_never_a_kept_page(app, client, alice, count_queries):
    client.get("/dashboard")
    assert 'class="running-timer' not in client.get("/dashboard").get_data(as_text=True)
    client.post("/timer/start", data={"habit_id": alice.reading})
    with count_queries() as first:
        page = client.get("/dashboard").get_data(as_text=True)
    with count_queries() as second:
        client.get("/dashboard")
    assert 'class="running-timer' in page and "timer-elapsed" in page
    assert second.count == first.count > 3  # rendered again, not served from the store
    client.post("/timer/discard")
    assert 'class="running-timer' not in client.get("/dashboard").get_data(as_text=True)


def test_the_utc_notice_reaches_each_new_login(app, client, alice):
    assert "time zone" in client.get("/dashboard").get_data(as_text=True).lower()
    client.get("/dashboard")
    client.get("/dashboard")
    other = app.test_client()
    other.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    notice = other.get("/dashboard").get_data(as_text=True)
    again = other.get("/dashboard").get_data(as_text=True)
    assert notice != again and "UTC" in notice


def day(back: int) -> str:
    return (TODAY - timedelta(days=back)).isoformat()


def log_id_of(app, minutes: int) -> int:
    with app.app_context():
        return db.session.scalar(select(HabitLog.id).where(HabitLog.minutes == minutes))


WRITES = {
    "quick log": lambda c, u, app: c.post(f"/habits/{u.reading}/log", data={"minutes": "9"}),
    "new log long ago": lambda c, u, app: c.post(
        "/logs/new", data={"habit_id": u.reading, "date": day(400), "minutes": "33"}
    ),
    "edit log": lambda c, u, app: c.post(
        f"/logs/{log_id_of(app, 23)}/edit",
        data={"habit_id": u.reading, "date": day(5), "minutes": "44", "note": "moved"},
    ),
    "delete log": lambda c, u, app: c.post(f"/logs/{log_id_of(app, 26)}/delete"),
    "check": lambda c, u, app: c.post(f"/habits/{u.meds}/check", data={"date": day(1)}),
    "skip": lambda c, u, app: c.post(f"/habits/{u.reading}/skip", data={"date": day(1)}),
    "break": lambda c, u, app: c.post(
        "/settings/breaks", data={"start": day(10), "end": day(8), "habits": ["all"], "note": ""}
    ),
    "edit habit": lambda c, u, app: c.post(
        f"/habits/{u.reading}/edit",
        data={
            "name": "Sketching daily",
            "colour": "pink",
            "kind": "time",
            "target_minutes": "45",
            "target_period": "day",
            "target_direction": "at_least",
        },
    ),
    "archive": lambda c, u, app: c.post(f"/habits/{u.meds}/archive"),
    "move": lambda c, u, app: c.post(f"/habits/{u.meds}/move", data={"direction": "up"}),
    "delete habit": lambda c, u, app: c.post(f"/habits/{u.meds}/delete"),
    "preferences": lambda c, u, app: c.post(
        "/settings/preferences", data={"timezone": "Pacific/Pago_Pago", "week_start": "sunday"}
    ),
    "new habit": lambda c, u, app: c.post(
        "/habits/new",
        data={"name": "Piano", "kind": "time", "target_period": "day", "colour": "teal"},
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_shows_on_every_kept_page_at_once(app, client, alice, write, monkeypatch):
    before = {}
    for url in PAGES:
        client.get(url)
        before[url] = served(client, url)
    old = version(app, alice.id)
    answer = WRITES[write](client, alice, app)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert version(app, alice.id) != old
    client.get("/settings/")  # shows (and so uses up) the write's message
    changed = set()
    for url in PAGES:
        kept = served(client, url)
        assert kept == afresh(app, client, url, monkeypatch), (write, url)
        if kept != before[url]:
            changed.add(url)
    assert changed, write  # the write showed somewhere: the comparison above means something


def test_an_api_write_shows_at_once(app, client, alice, make_token):
    client.get("/dashboard")
    before = served(client, "/analytics/data.json?range=30d")
    token = make_token(alice.id)
    answer = client.post(
        "/api/v1/logs",
        json={"habit_id": alice.reading, "minutes": 11, "date": day(2)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    after = served(client, "/analytics/data.json?range=30d")
    assert after != before


def version_moves(counter) -> int:
    return sum(
        statement.startswith("UPDATE user_account SET data_version")
        for statement in counter.statements
    )


def test_versions_move_once_per_transaction_and_only_for_their_owner(app, make_user, count_queries):
    from httracker.habits.services import create_habit
    from httracker.habits.targets import Target

    alice, bob = make_user("alice"), make_user("bob")
    start = {who.id: version(app, who.id) for who in (alice, bob)}
    with count_queries() as counter, app.app_context():
        owner = db.session.get(User, alice.id)
        habit_id = create_habit(owner, "Reading", "", Target(None, "day")).id
        db.session.execute(
            insert(HabitLog),
            [{"user_id": alice.id, "habit_id": habit_id, "date": TODAY, "minutes": 5}],
        )
        db.session.execute(update(HabitLog).where(HabitLog.user_id == alice.id).values(minutes=6))
        db.session.commit()
    assert version_moves(counter) == 1
    moved = version(app, alice.id)
    assert moved > start[alice.id] and version(app, bob.id) == start[bob.id]
    with app.app_context():
        db.session.execute(delete(HabitLog).where(HabitLog.user_id.in_([alice.id, bob.id])))
        db.session.rollback()
    assert version(app, alice.id) == moved  # rolled back with the change
    with count_queries() as counter, app.app_context():
        db.session.execute(
            update(HabitStatsState)
            .where(HabitStatsState.user_id == alice.id)
            .values(version=HabitStatsState.version + 1)
        )
        db.session.execute(delete(HabitMonthTotal).where(HabitMonthTotal.user_id == alice.id))
        db.session.commit()
    assert version_moves(counter) == 0  # derived state is no one's page
    assert version(app, alice.id) == moved
    with app.app_context():
        db.session.execute(delete(HabitLog).where(HabitLog.user_id.in_([alice.id, bob.id])))
        db.session.commit()
    assert version(app, alice.id) > moved and version(app, bob.id) > start[bob.id]
    before = version(app, bob.id)
    with app.app_context():  # a statement on User itself (an annotated copy of its table)
        db.session.execute(update(User).where(User.id == bob.id).values(week_start="sunday"))
        db.session.commit()
    assert version(app, bob.id) > before


def test_an_or_or_a_subquery_never_hides_an_owner(app, make_user, make_habit, make_log):
    from sqlalchemy import or_

    alice, bob = make_user("alice"), make_user("bob")
    alices = make_habit(alice.id)
    bobs_log = make_log(bob.id, make_habit(bob.id), TODAY)
    before = version(app, alice.id), version(app, bob.id)
    with app.app_context():
        db.session.execute(
            update(HabitLog)
            .where(or_(HabitLog.user_id == alice.id, HabitLog.id == bobs_log))
            .values(minutes=2)
        )
        db.session.commit()
    assert version(app, bob.id) > before[1]
    before = version(app, alice.id), version(app, bob.id)
    with app.app_context():
        alices_habits = select(HabitLog.habit_id).where(HabitLog.habit_id == alices)
        db.session.execute(
            delete(HabitLog).where(HabitLog.habit_id.in_(alices_habits.scalar_subquery()))
        )
        db.session.execute(delete(HabitLog).where(HabitLog.id == bobs_log))
        db.session.commit()
    assert version(app, bob.id) > before[1] and version(app, alice.id) == before[0]


def test_a_change_that_names_no_account_moves_the_owners_of_its_rows(
    app, make_user, make_habit, make_log
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    for who in (alice, bob, carol):
        make_log(who.id, make_habit(who.id), TODAY, minutes=10 if who is carol else 600)
    before = [version(app, who.id) for who in (alice, bob, carol)]
    with app.app_context():
        db.session.execute(update(HabitLog).where(HabitLog.minutes > 500).values(minutes=1))
        db.session.commit()
    after = [version(app, who.id) for who in (alice, bob, carol)]
    assert after[0] > before[0] and after[1] > before[1] and after[2] == before[2]


def test_every_row_of_a_table_moves_every_version(app, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    before = version(app, alice.id), version(app, bob.id)
    with app.app_context():
        db.session.execute(delete(HabitLog))
        db.session.commit()
    assert version(app, alice.id) > before[0] and version(app, bob.id) > before[1]


def test_new_accounts_start_at_unrelated_versions(make_user, app):
    versions = {version(app, make_user(f"user{n}").id) for n in range(5)}
    assert len(versions) == 5


def test_the_store_is_bounded_and_keeps_one_version_per_account():
    store = PageStore(4000)
    page = Page(body=b"x" * 900, mimetype="text/html")
    for n in range(4):
        store.put((1, 7, TODAY, f"/p{n}"), page)
    assert store.size == 3600 and store.get((1, 7, TODAY, "/p0")) is page
    store.put((2, 1, TODAY, "/p"), page)  # over the bound: the least recently used goes
    assert store.get((1, 7, TODAY, "/p1")) is None and store.size == 3600
    assert store.get((1, 7, TODAY, "/p0")) is page
    store.put((1, 8, TODAY, "/p0"), page)  # a newer version of account 1: its older pages go
    assert store.get((1, 7, TODAY, "/p0")) is None and store.get((1, 7, TODAY, "/p3")) is None
    store.put((1, 5, TODAY, "/p2"), page)  # a new account with a deleted one's id
    assert store.get((1, 8, TODAY, "/p0")) is None and store.get((1, 5, TODAY, "/p2")) is page
    assert store.size == 1800 and store.by_user == {
        1: {(1, 5, TODAY, "/p2")},
        2: {(2, 1, TODAY, "/p")},
    }
    store.put((3, 1, TODAY, "/big"), Page(body=b"x" * 1001, mimetype="text/html"))
    assert store.get((3, 1, TODAY, "/big")) is None  # over a quarter of the store: not kept


def test_one_account_keeps_a_bounded_number_of_pages():
    store = PageStore(10**6)
    page = Page(body=b"x", mimetype="text/html")
    for n in range(PAGES_PER_ACCOUNT + 10):
        store.put((1, 1, TODAY, f"/logs/?page={n}"), page)
    store.put((2, 1, TODAY, "/logs/"), page)
    assert len(store.by_user[1]) == PAGES_PER_ACCOUNT and store.get((2, 1, TODAY, "/logs/"))


def test_rows_written_past_the_session_move_the_version(app, alice):
    from httracker.analytics.stats_check import rebuild
    from httracker.portability.bulk import insert_rows

    before = version(app, alice.id)
    with app.app_context():
        columns = ("user_id", "habit_id", "date", "minutes", "created_at")
        row = (alice.id, alice.reading, TODAY, 3, datetime.now(UTC))
        insert_rows(HabitLog.__table__, columns, [row])
        db.session.commit()
    after_copy = version(app, alice.id)
    assert after_copy > before
    with app.app_context():
        rebuild(db.session.get(User, alice.id), TODAY)
        db.session.commit()
    assert version(app, alice.id) > after_copy
