"""Time logs: the form, its validation, the list with filters and pages, edit and delete."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

import httracker.timeutil
from httracker.auth.sessions import load_session_user, start_session
from httracker.changes import RuleBroken
from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.habits import log_trip
from httracker.models import Habit, HabitLog, HabitStatsState, HabitTimer, User, utcnow
from httracker.timeutil import today_in

from .statements import reads_habit

# 10:30 UTC: already 16 January in Kiritimati (UTC+14), still 14 January in Pago Pago (UTC-11).
FROZEN_NOW = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN_NOW.astimezone(tz) if tz else FROZEN_NOW.replace(tzinfo=None)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(httracker.timeutil, "datetime", FrozenDatetime)
    return FROZEN_NOW


def logs_in_db(app):
    with app.app_context():
        return list(db.session.scalars(select(HabitLog).order_by(HabitLog.id)))


def post_log(client, habit_id, minutes="30", day=None, note="", **extra):
    data = {"habit_id": habit_id, "minutes": minutes, "note": note, **extra}
    data["date"] = (day or today_in("UTC")).isoformat() if day != "" else ""
    return client.post("/logs/new", data=data)


@pytest.fixture
def habit_id(user, make_habit):
    return make_habit(user.id, "Reading")


def test_new_log_form_defaults_to_today_and_preselects_the_habit(client, user, make_habit):
    make_habit(user.id, "Alpha")
    wanted = make_habit(user.id, "Zeta")
    page = client.get(f"/logs/new?habit_id={wanted}").data.decode()
    assert f'value="{today_in("UTC").isoformat()}"' in page
    assert f'<option selected value="{wanted}">Zeta</option>' in page


def test_new_log_default_date_is_today_in_the_users_zone(
    client, make_user, auth, make_habit, frozen_now
):
    alice = make_user("alice", timezone="Pacific/Kiritimati")
    auth.login()
    make_habit(alice.id, "Reading")
    assert b'value="2026-01-16"' in client.get("/logs/new").data


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("1:30", 90), ("1h30", 90), ("1h 30m", 90), ("45m", 45), ("2h", 120)],
)
def test_log_minutes_accept_every_duration_form(client, app, habit_id, text, minutes):
    response = post_log(client, habit_id, text)
    assert response.status_code == 302
    assert response.headers["Location"] == "/logs/"
    assert logs_in_db(app)[0].minutes == minutes


def test_log_flash_names_what_was_logged(client, habit_id):
    post_log(client, habit_id, "1h 30m", note="chapter 3")
    page = client.get("/logs/").data.decode()
    assert f"Logged 1h 30m of Reading on {readable_date(today_in('UTC'))}." in page
    assert "chapter 3" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"minutes": "1.5m"}, "minutes", "1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours"),
        ({"minutes": ""}, "minutes", "Type how long, such as 90, 1:30"),
        ({"minutes": "0"}, "minutes", "Log between 1 minute and 24h."),
        ({"minutes": "1441"}, "minutes", "Log between 1 minute and 24h."),
        ({"minutes": "9" * 5000}, "minutes", "1:30, 1h30"),
        ({"day": date(1999, 12, 31)}, "date", "Dates start on 2000-01-01."),
        ({"date": "2025-02-30"}, "date", "Not a valid date value."),
        ({"date": "yesterday"}, "date", "Not a valid date value."),
        ({"date": ""}, "date", "This field is required"),
        ({"note": "n" * 501}, "note", "Use at most 500 characters."),
        ({"habit_id": "abc"}, "habit_id", "Choose one of your active habits."),
        ({"habit_id": "999999"}, "habit_id", "Choose one of your active habits."),
        ({"habit_id": ""}, "habit_id", "Choose one of your active habits."),
    ],
)
def test_log_validation_is_inline_with_400_and_writes_nothing(
    client, app, habit_id, fields, field, message
):
    data = {"habit_id": habit_id, "minutes": "30", "date": today_in("UTC").isoformat()}
    if "day" in fields:
        data["date"] = fields.pop("day").isoformat()
    data.update(fields)
    response = client.post("/logs/new", data=data)
    assert response.status_code == 400
    assert message in response.data.decode()
    assert f'id="{field}-error"' in response.data.decode()
    assert logs_in_db(app) == []


def test_note_of_exactly_500_characters_is_fine(client, app, habit_id):
    assert post_log(client, habit_id, note="n" * 500).status_code == 302
    assert len(logs_in_db(app)[0].note) == 500


def test_another_users_habit_is_treated_like_a_missing_one(
    client, app, user, make_user, make_habit
):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Bob's")
    missing = post_log(client, 999999)
    foreign = post_log(client, bobs)
    assert foreign.status_code == missing.status_code == 400
    assert b"Bob&#39;s" not in foreign.data and b"Bob's" not in foreign.data
    assert logs_in_db(app) == []


@pytest.mark.parametrize("chosen", ["archived", "check", "bob's"])
def test_a_habit_that_is_no_choice_is_refused_and_the_form_offers_the_choices(
    client, app, user, make_user, make_habit, chosen
):
    """A submission reads only the habit it names; refused, the form offers every active
    time habit again (not the one refused), the one named by nobody else's account."""
    make_habit(user.id, "Alpha")
    make_habit(user.id, "Zeta")
    names = {
        "archived": lambda: make_habit(user.id, "Old", archived=True),
        "check": lambda: make_habit(user.id, "Stretch", kinds={"kind": "check"}),
        "bob's": lambda: make_habit(make_user("bob").id, "Bobs"),
    }
    response = post_log(client, names[chosen]())
    page = response.data.decode()
    assert response.status_code == 400
    assert "Choose one of your active habits." in page
    assert re.findall(r'<option[^>]*value="\d+">([^<]*)</option>', page) == ["Alpha", "Zeta"]
    assert logs_in_db(app) == []


def test_a_rejected_log_keeps_its_habit_chosen_among_all(client, app, user, make_habit):
    make_habit(user.id, "Alpha")
    wanted = make_habit(user.id, "Zeta")
    page = post_log(client, wanted, minutes="0").data.decode()
    assert "Log between 1 minute and 24h." in page
    assert re.findall(r'<option[^>]*value="\d+">([^<]*)</option>', page) == ["Alpha", "Zeta"]
    assert f'<option selected value="{wanted}">Zeta</option>' in page
    assert logs_in_db(app) == []


def test_a_log_reads_the_one_habit_it_names(
    client, app, user, make_habit, count_queries, database_url
):
    """However many habits the account has, a log reads one row of them: the habit it names
    (and, on MariaDB, which cannot say what version its lock moved from, that one again). On
    PostgreSQL it reads none: the one statement that writes the log checks the habit itself,
    and gives its name for the message."""
    for number in range(5):
        make_habit(user.id, f"Habit {number}")
    wanted = make_habit(user.id, "Piano")
    client.get("/logs/")  # the user's session is touched at most once a minute
    with count_queries() as queries:
        assert post_log(client, wanted).status_code == 302
    from_habit = [statement for statement in queries.statements if reads_habit(statement)]
    backend = make_url(database_url).get_backend_name()
    reads = {"postgresql": 0, "sqlite": 1}.get(backend, 2)
    assert len(from_habit) == reads, from_habit
    # Each names its habit by id.
    assert all(re.search(r"WHERE .*\bhabit\.id (=|IN)", statement) for statement in from_habit)
    assert [log.habit_id for log in logs_in_db(app)] == [wanted]


def test_a_log_takes_the_lock_and_writes_in_one_statement_on_postgresql(
    client, app, user, make_habit, count_queries, database_url
):
    """On PostgreSQL the log form's log is one statement after the account's lock: the
    version's move, the guarded insert and, for a day of a stored month, its habit's stored
    state moved back, committed with the lock in one round trip (log_trip.py). The day limit
    still holds in it; the log it refuses then goes the usual way, in the next transaction,
    which says what is left of the day. Elsewhere the lock comes first, then the insert, then
    the state's two statements."""
    piano = make_habit(user.id, "Piano")
    day = today_in("UTC") - timedelta(days=70)
    client.get("/dashboard")  # stores the habit's state; the session is touched once a minute
    with count_queries() as queries:
        assert post_log(client, piano, "23h", day).status_code == 302
        assert post_log(client, piano, "1h 1m", day).status_code == 400
    writes = [
        found.group(0)
        for statement in queries.statements
        if (found := re.match(WRITE_STATEMENT, statement))
    ]
    if make_url(database_url).get_backend_name() == "postgresql":
        # The log; the refused one; the usual way's one statement, refused again.
        assert writes == ["WITH moved", "WITH moved", "WITH moved"], writes
        locks = [each for each in queries.statements if each.endswith("FOR NO KEY UPDATE")]
        assert len(locks) == 2, queries.statements
    else:
        first = ["UPDATE user_account", "INSERT INTO habit_log"]
        state = ["UPDATE habit_stats", "DELETE FROM habit_month_total"]
        assert writes == [*first, *state, *first], queries.statements
    assert [log.minutes for log in logs_in_db(app)] == [23 * 60]
    with app.app_context():
        (checkpoint,) = db.session.scalars(select(HabitStatsState.checkpoint)).all()
    assert checkpoint < day.replace(day=1), checkpoint


def test_a_log_on_an_old_day_gives_a_habit_never_read_a_state_row(
    client, app, user, make_habit, count_queries
):
    """A habit no page has read has no stored state. A log on a day of a stored month gives it
    a state row with nothing valid yet, in the log's transaction: a read that raced the log and
    stores the habit's state then finds the row's version moved, and stores nothing."""
    piano = make_habit(user.id, "Piano")
    day = today_in("UTC") - timedelta(days=70)
    assert post_log(client, piano, "1h", day).status_code == 302
    with app.app_context():
        rows = db.session.execute(select(HabitStatsState.version, HabitStatsState.checkpoint))
        assert [tuple(row) for row in rows] == [(1, None)]
    assert post_log(client, piano, "1h", day).status_code == 302
    with app.app_context():
        rows = db.session.execute(select(HabitStatsState.version, HabitStatsState.checkpoint))
        assert [tuple(row) for row in rows] == [(2, None)]
    assert [log.minutes for log in logs_in_db(app)] == [60, 60]


def test_a_log_the_database_refuses_in_its_one_round_trip_writes_nothing(
    app, user, make_habit, database_url
):
    """A statement of the one round trip that fails (here a CHECK no form lets through) ends
    its transaction with nothing written, raises as any statement's error does, and leaves the
    session and its connection fit for the next transaction."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the one round trip is PostgreSQL's")
    piano = make_habit(user.id, "Piano")
    day = today_in("UTC") - timedelta(days=1)
    with app.test_request_context():
        account = db.session.get(User, user.id)
        values = {
            "user_id": user.id,
            "habit_id": piano,
            "date": day,
            "minutes": 0,
            "note": None,
            "created_at": datetime.now(UTC),
        }
        version = account.data_version
        with pytest.raises(IntegrityError):
            log_trip.log_in_one_trip(user.id, values)
        assert not db.session().in_transaction()
        assert db.session.scalar(select(User.data_version).where(User.id == user.id)) == version
        done = log_trip.log_in_one_trip(user.id, {**values, "minutes": 5})
        assert done.done and done.habit_name == "Piano"
    assert [(log.minutes, log.id) for log in logs_in_db(app)] == [(5, done.log_id)]


@pytest.mark.parametrize("before", ["nothing", "a running timer", "a read of the habit"])
def test_the_one_round_trip_is_a_transaction_of_its_own_after_the_users_read(
    app, user, make_habit, before
):
    """A request reads its user (and a running timer) ahead of its transaction: nothing of it
    has reached PostgreSQL then, and the trip's lock and statement are a transaction of the
    server's own, committed at the pipeline's end. After a read in the transaction they end it
    with COMMIT. Either way the log is committed for every other connection, and the connection
    is left as found: the next statement begins a transaction again."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the one round trip is PostgreSQL's")
    piano = make_habit(user.id, "Piano")
    with app.test_request_context():
        account = db.session.get(User, user.id)
        if before == "a running timer":
            db.session.add(HabitTimer(user_id=user.id, habit_id=piano, started_at=utcnow()))
        start_session(account)
        db.session.commit()
        token = account.session_token
    day = today_in("UTC") - timedelta(days=1)
    values = {"user_id": user.id, "habit_id": piano, "date": day, "minutes": 5, "note": None}
    with app.test_request_context():
        account = load_session_user(token)
        assert (account.timer is not None) is (before == "a running timer")
        driver = db.session.connection().connection.driver_connection
        assert driver.info.transaction_status == TransactionStatus.IDLE
        if before == "a read of the habit":
            db.session.get(Habit, piano)
            assert driver.info.transaction_status == TransactionStatus.INTRANS
        done = log_trip.log_in_one_trip(user.id, {**values, "created_at": datetime.now(UTC)})
        assert done.done and done.habit_name == "Piano"
        assert driver.info.transaction_status == TransactionStatus.IDLE
        assert not driver.autocommit
        assert [(log.id, log.minutes) for log in logs_in_db(app)] == [(done.log_id, 5)]
        # The session's next statement (on whichever pooled connection) begins a transaction.
        assert db.session.scalar(select(User.data_version).where(User.id == user.id))
        after = db.session.connection().connection.driver_connection
        assert after.info.transaction_status == TransactionStatus.INTRANS
        db.session.rollback()


def test_without_pipeline_mode_the_log_form_logs_as_before(
    client, app, user, make_habit, count_queries, monkeypatch
):
    """With a libpq that has no pipeline mode (older than 14), the form's log is written the
    way it was before the one round trip: no separate lock, then the session's commit."""
    monkeypatch.setattr(log_trip, "PIPELINE", False)
    piano = make_habit(user.id, "Piano")
    with count_queries() as queries:
        assert post_log(client, piano, "25m", today_in("UTC")).status_code == 302
    assert not [each for each in queries.statements if each.endswith("FOR NO KEY UPDATE")]
    assert [log.minutes for log in logs_in_db(app)] == [25]


def test_the_one_round_trip_prepares_its_statements_at_once_with_one_plan(
    client, app, user, make_habit
):
    """On PostgreSQL the trip's lock and log statement are prepared on a connection at their
    first run, and the log's is planned once for any values: not parsed afresh at each of a
    connection's first runs, nor planned again for each log's values."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the one round trip is PostgreSQL's")
    piano = make_habit(user.id, "Piano")
    client.get("/dashboard")  # stores the habit's state; the session is touched once a minute
    engine.dispose()  # the pool holds what earlier tests left: the logs start it afresh
    connections = {}

    def ran(connection, cursor, statement, *_):
        if statement.startswith("WITH moved"):
            raw = connection.connection.dbapi_connection
            connections[id(raw)] = raw

    event.listen(engine, "before_cursor_execute", ran)
    try:
        for days in (1, 2, 70):
            day = today_in("UTC") - timedelta(days=days)
            assert post_log(client, piano, "5m", day).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", ran)
    assert len(connections) == 1, connections
    (raw,) = connections.values()  # idle in the pool now
    prepared = raw.execute(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
    ).fetchall()
    raw.rollback()
    plans = [
        (generic, custom) for statement, generic, custom in prepared if "WITH moved" in statement
    ]
    # Each log ran a prepared statement (one with its habit's state to move back, or not), and
    # none was planned for its values.
    assert plans and sum(generic for generic, _ in plans) == 3, prepared
    assert all(custom == 0 for _, custom in plans), prepared
    assert any(statement.endswith("FOR NO KEY UPDATE") for statement, *_ in prepared), prepared
    assert [log.minutes for log in logs_in_db(app)] == [5, 5, 5]


WRITE_STATEMENT = re.compile(
    r"WITH moved|UPDATE user_account|INSERT INTO habit_log|UPDATE habit_stats"
    r"|DELETE FROM habit_month_total"
)


def test_day_limit_counts_every_habit_and_says_what_is_left(client, app, user, make_habit):
    first, second, third = (make_habit(user.id, name) for name in ("One", "Two", "Three"))
    day = today_in("UTC") - timedelta(days=1)
    assert post_log(client, first, "10h", day).status_code == 302
    assert post_log(client, second, "13h", day).status_code == 302
    response = post_log(client, third, "1h 1m", day)
    assert response.status_code == 400
    assert f"A day has 24h: 1h left to log on {readable_date(day)}." in response.data.decode()
    assert post_log(client, third, "1h", day).status_code == 302
    response = post_log(client, first, "1", day)
    assert f"0m left to log on {readable_date(day)}" in response.data.decode()
    # another day is unaffected
    assert post_log(client, first, "24h", day - timedelta(days=1)).status_code == 302
    assert sorted(log.minutes for log in logs_in_db(app)) == [60, 600, 780, 1440]


def test_only_the_users_own_minutes_count_towards_the_day(
    client, app, user, make_user, make_habit, make_log
):
    bob = make_user("bob")
    day = today_in("UTC") - timedelta(days=2)
    make_log(bob.id, make_habit(bob.id, "Bob's"), day, 1440)
    mine = make_habit(user.id, "Mine")
    make_log(user.id, mine, day - timedelta(days=1), 1440)  # a full day next to it
    assert post_log(client, mine, "23h 59m", day).status_code == 302
    response = post_log(client, mine, "2", day)
    assert f"A day has 24h: 1m left to log on {readable_date(day)}." in response.data.decode()
    assert post_log(client, mine, "1", day).status_code == 302
    assert [(log.minutes, log.note) for log in logs_in_db(app) if log.user_id == user.id] == [
        (1440, None),
        (1439, None),
        (1, None),
    ]


def _log_row(log):
    return (log.id, log.user_id, log.habit_id, log.date, log.minutes, log.note)


@pytest.fixture
def owner_and_habit(app, user, make_habit):
    """(user, habit) loaded in the app context's session, the user noted as a request's
    session user is (versions.seen): the lock then reads no habit again, and nothing flushes
    on the way to the insert but what add_log flushes itself."""
    from httracker import versions
    from httracker.models import Habit, User

    habit_id = make_habit(user.id, "Reading")

    def load():
        owner = db.session.get(User, user.id)
        versions.seen(db.session(), owner)
        return owner, db.session.get(Habit, habit_id)

    return load


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "last-row-id"])
def test_the_log_written_is_the_one_returned(app, user, owner_and_habit, returning):
    """With RETURNING (PostgreSQL, MariaDB, SQLite 3.35+) and without it (MySQL, older SQLite),
    the log returned is the row stored, readable after the commit."""
    from httracker.habits.services import add_log

    day = today_in("UTC") - timedelta(days=3)
    with app.app_context():
        dialect = db.session.get_bind().dialect
        if not returning and dialect.name == "postgresql":
            pytest.skip("PostgreSQL always returns the id; its driver has no last row id")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dialect, "insert_returning", returning)
            owner, habit = owner_and_habit()
            first = add_log(owner, habit, day, 45, "  a note  ")
            second = add_log(owner, habit, day, 1395)
            full = None
            try:
                add_log(owner, habit, day, 1)
            except RuleBroken as error:
                full = error.message
            db.session.commit()
        returned = [_log_row(first), _log_row(second)]  # after the commit
        created = first.created_at
    assert full == f"A day has 24h: 0m left to log on {readable_date(day)}."
    stored = logs_in_db(app)
    assert [_log_row(row) for row in stored] == returned
    assert returned[0][1:] == (user.id, stored[0].habit_id, day, 45, "a note")
    assert returned[1][4:] == (1395, None)
    assert abs(stored[0].created_at - created) < timedelta(seconds=1)


def _change_the_account_meanwhile(user_id: int, habit_id: int, change: str) -> None:
    """On a connection of its own, commit a change of the account after the session read it,
    moving its version as every change does: another log of the habit, or the habit made a
    check habit. Not on SQLite, where the session's transaction holds the write lock from its
    first read: nothing of anyone commits meanwhile."""
    from httracker.models import Habit, User

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: nothing commits while a transaction is open")
    with db.engine.begin() as connection:
        moved = User.data_version + 7
        connection.execute(update(User).where(User.id == user_id).values(data_version=moved))
        if change == "log":
            day = today_in("UTC") - timedelta(days=4)
            values = {"user_id": user_id, "habit_id": habit_id, "date": day, "minutes": 5}
            connection.execute(insert(HabitLog).values(**values))
        else:
            connection.execute(
                update(Habit)
                .where(Habit.id == habit_id)
                .values(kind="check", target_minutes=None, target_direction="at_least")
            )


def test_a_log_after_another_change_of_the_account_counts_it(
    app, owner_and_habit, count_queries, database_url
):
    """Another change of the account commits after the request read its user, before the log:
    on PostgreSQL the one statement's snapshot holds it (the statement waited for no lock), so
    it is still one statement, with no habit read again. Elsewhere the lock comes first and the
    habit is read again. The day limit counts the log committed meanwhile: 1436 minutes do not
    fit beside its 5, 1435 do. (A change that commits while the statement waits for the lock:
    tests/test_resilience.py.)"""
    from httracker.habits.services import add_log

    day = today_in("UTC") - timedelta(days=4)
    with app.app_context():
        owner, habit = owner_and_habit()
        _change_the_account_meanwhile(owner.id, habit.id, "log")
        with count_queries() as queries, pytest.raises(RuleBroken) as full:
            add_log(owner, habit, day, 1436)
        db.session.rollback()
        owner, habit = owner_and_habit()
        add_log(owner, habit, day, 1435)
        db.session.commit()
    assert full.value.message == f"A day has 24h: 23h 55m left to log on {readable_date(day)}."
    writes = [
        found.group(0)
        for statement in queries.statements
        if (found := re.match(WRITE_STATEMENT, statement))
    ]
    read_again = [statement for statement in queries.statements if reads_habit(statement)]
    if make_url(database_url).get_backend_name() == "postgresql":
        assert writes == ["WITH moved"], queries.statements
        assert read_again == []
    else:
        assert writes == ["UPDATE user_account", "INSERT INTO habit_log"], writes
        assert len(read_again) == 1, queries.statements
    assert sorted(log.minutes for log in logs_in_db(app)) == [5, 1435]


def test_a_habit_made_a_check_habit_meanwhile_takes_no_log(app, owner_and_habit):
    """The habit became a check habit after the request read it: the one statement finds it so
    and writes nothing; the usual way reads it again under the lock and says why."""
    from httracker.habits.services import add_log

    day = today_in("UTC") - timedelta(days=2)
    with app.app_context():
        owner, habit = owner_and_habit()
        _change_the_account_meanwhile(owner.id, habit.id, "kind")
        with pytest.raises(RuleBroken) as refused:
            add_log(owner, habit, day, 30)
        db.session.rollback()
    assert refused.value.message == "Reading is checked off, not timed: check it instead."
    assert logs_in_db(app) == []


def test_what_the_session_holds_unflushed_counts_in_the_day(app, owner_and_habit, make_log):
    from httracker.habits.services import add_log

    day = today_in("UTC") - timedelta(days=2)
    with app.app_context():
        owner, habit = owner_and_habit()
        ids = owner.id, habit.id
        db.session.rollback()  # the log below is written on a connection of its own (SQLite)
        log_id = make_log(*ids, day, 100)
        owner, habit = owner_and_habit()
        logged = db.session.get(HabitLog, log_id)
        logged.minutes = 1400  # not flushed yet
        with pytest.raises(RuleBroken) as refused:
            add_log(owner, habit, day, 100)
        assert refused.value.message == f"A day has 24h: 40m left to log on {readable_date(day)}."
        db.session.rollback()
        owner, habit = owner_and_habit()
        db.session.delete(db.session.get(HabitLog, logged.id))  # not flushed yet either
        add_log(owner, habit, day, 1440)
        db.session.commit()
    assert [(log.date, log.minutes) for log in logs_in_db(app)] == [(day, 1440)]


def test_a_log_rolled_back_keeps_its_values_and_the_session_goes_on(app, owner_and_habit):
    from httracker.habits.services import add_log

    day = today_in("UTC") - timedelta(days=1)
    with app.app_context():
        owner, habit = owner_and_habit()
        undone = add_log(owner, habit, day, 30, "undone")
        db.session.rollback()
        assert (undone.minutes, undone.note) == (30, "undone")
        owner, habit = owner_and_habit()
        kept = add_log(owner, habit, day, 20, "kept")  # SQLite may hand the same id out again
        db.session.commit()
        assert (kept.minutes, kept.note) == (20, "kept")
    assert [(log.minutes, log.note) for log in logs_in_db(app)] == [(20, "kept")]


def test_editing_a_log_counts_the_day_without_its_old_minutes(
    client, app, user, make_habit, make_log
):
    first, second = make_habit(user.id, "One"), make_habit(user.id, "Two")
    day = today_in("UTC")
    make_log(user.id, first, day, 1000)
    log_id = make_log(user.id, second, day, 400)
    data = {"habit_id": second, "date": day.isoformat(), "minutes": "440"}
    assert client.post(f"/logs/{log_id}/edit", data=data).status_code == 302
    response = client.post(f"/logs/{log_id}/edit", data={**data, "minutes": "441"})
    assert response.status_code == 400
    assert "7h 20m left" in response.data.decode()
    assert {log.minutes for log in logs_in_db(app)} == {1000, 440}


@pytest.mark.parametrize(
    ("zone", "today", "tomorrow"),
    [
        ("Pacific/Kiritimati", date(2026, 1, 16), date(2026, 1, 17)),  # ahead of UTC
        ("Pacific/Pago_Pago", date(2026, 1, 14), date(2026, 1, 15)),  # behind UTC
    ],
)
def test_future_is_judged_in_the_users_zone(
    client, app, make_user, auth, make_habit, frozen_now, zone, today, tomorrow
):
    alice = make_user("alice", timezone=zone)
    auth.login()
    habit_id = make_habit(alice.id, "Reading")
    response = post_log(client, habit_id, day=tomorrow)
    assert response.status_code == 400
    assert "That day is in the future in your time zone." in response.data.decode()
    assert logs_in_db(app) == []
    assert post_log(client, habit_id, day=today).status_code == 302
    assert [log.date for log in logs_in_db(app)] == [today]


def test_quick_log_uses_today_in_the_users_zone(
    client, app, make_user, auth, make_habit, frozen_now
):
    alice = make_user("alice", timezone="Pacific/Kiritimati")
    auth.login()
    habit_id = make_habit(alice.id, "Reading")
    response = client.post(f"/habits/{habit_id}/log", data={"minutes": "1h"})
    assert response.headers["Location"] == "/dashboard"
    [log] = logs_in_db(app)
    assert (log.date, log.minutes) == (date(2026, 1, 16), 60)


def test_quick_log_on_the_dashboard(client, app, user, make_habit, make_log):
    reading, running = make_habit(user.id, "Reading"), make_habit(user.id, "Running")
    make_habit(user.id, "Old", archived=True)
    make_log(user.id, reading, today_in("UTC"), 20)
    make_log(user.id, reading, today_in("UTC") - timedelta(days=1), 300)
    page = client.get("/dashboard").data.decode()
    assert f'action="/habits/{reading}/log"' in page and f'action="/habits/{running}/log"' in page
    assert "Old" not in page
    row = page.split(">Reading</a>")[1].split("</tr>")[0]
    assert ">20m<" in row
    response = client.post(f"/habits/{reading}/log", data={"minutes": "1:10"})
    assert response.status_code == 302
    page = client.get("/dashboard").data.decode()
    assert "Logged 1h 10m of Reading today." in page
    assert ">1h 30m<" in page.split(">Reading</a>")[1].split("</tr>")[0]
    assert "Logged today: <strong>1h 30m</strong>" in page


def test_quick_log_errors_are_inline_on_the_dashboard(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    response = client.post(f"/habits/{habit_id}/log", data={"minutes": "soon"})
    assert response.status_code == 400
    assert f'id="minutes-{habit_id}-error"' in response.data.decode()
    assert b"1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours" in response.data
    response = client.post(f"/habits/{habit_id}/log", data={"minutes": "25h"})
    assert response.status_code == 400
    assert logs_in_db(app) == []


def test_an_empty_quick_log_says_what_to_type(client, app, user, make_habit):
    habit_id = make_habit(user.id, "Reading")
    for empty in ("", "   "):
        response = client.post(f"/habits/{habit_id}/log", data={"minutes": empty})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        error = page.split(f'id="minutes-{habit_id}-error"')[1].split("</")[0]
        assert "Type how long, such as 90, 1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours." in error
        assert "This field is required." not in page
    response = client.post(f"/habits/{habit_id}/log", data={})
    assert response.status_code == 400
    assert "Type how long, such as" in response.get_data(as_text=True)
    # The log form shares the field: blanks there are nothing typed too.
    data = {"habit_id": habit_id, "date": today_in("UTC").isoformat(), "minutes": "  "}
    response = client.post("/logs/new", data=data)
    assert response.status_code == 400
    assert "Type how long, such as" in response.get_data(as_text=True)
    assert logs_in_db(app) == []


def test_edit_and_delete_a_log(client, app, user, habit_id, make_log):
    day = today_in("UTC") - timedelta(days=2)
    log_id = make_log(user.id, habit_id, day, 30)
    assert b'value="30m"' in client.get(f"/logs/{log_id}/edit").data
    data = {"habit_id": habit_id, "date": day.isoformat(), "minutes": "45", "note": "better"}
    response = client.post(f"/logs/{log_id}/edit?next=/habits/{habit_id}", data=data)
    assert response.headers["Location"] == f"/habits/{habit_id}"
    [log] = logs_in_db(app)
    assert (log.minutes, log.note) == (45, "better")
    assert (
        f"Saved the log of Reading on {readable_date(day)}: 45m."
        in client.get("/logs/").data.decode()
    )
    confirm = client.get(f"/logs/{log_id}/delete?next=/habits/{habit_id}").get_data(as_text=True)
    assert "Delete this log?" in confirm and "45m of Reading" in confirm
    assert f'<a class="button" href="/habits/{habit_id}">Cancel</a>' in confirm
    assert len(logs_in_db(app)) == 1  # asking is not deleting
    response = client.post(f"/logs/{log_id}/delete")
    assert response.headers["Location"] == "/logs/"
    assert logs_in_db(app) == []
    assert (
        f"Deleted the log of 45m of Reading on {readable_date(day)}."
        in client.get("/logs/").data.decode()
    )


def test_a_log_may_stay_on_its_archived_habit_but_not_move_to_one(
    client, app, user, make_habit, make_log
):
    archived = make_habit(user.id, "Old", archived=True)
    other_archived = make_habit(user.id, "Older", archived=True)
    log_id = make_log(user.id, archived, today_in("UTC"), 30)
    data = {"habit_id": archived, "date": today_in("UTC").isoformat(), "minutes": "40"}
    assert client.post(f"/logs/{log_id}/edit", data=data).status_code == 302
    response = client.post(f"/logs/{log_id}/edit", data={**data, "habit_id": other_archived})
    assert response.status_code == 400
    assert logs_in_db(app)[0].habit_id == archived


def test_script_in_a_note_is_shown_as_text_everywhere(client, user, habit_id, make_log):
    log_id = make_log(user.id, habit_id, today_in("UTC"), 30, note="<script>alert(1)</script>")
    for path in ("/logs/", f"/logs/{log_id}/edit", f"/habits/{habit_id}"):
        page = client.get(path).data
        assert b"<script>alert(1)</script>" not in page, path
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_unknown_fields_are_ignored(client, app, habit_id):
    response = post_log(client, habit_id, user_id="999", id="5", created_at="x")
    assert response.status_code == 302
    assert logs_in_db(app)[0].id != 5


def test_non_utf8_body_never_causes_a_500(client, app, habit_id):
    body = b"habit_id=" + str(habit_id).encode() + b"&minutes=30&note=\xff\xfe\xc3&date=\xff"
    response = client.post("/logs/new", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = client.post(
        "/habits/new",
        data=b"name=\xff\xfe&target_period=day",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("text", ["1.5m", "abc", "-5", "1:75", "90s", "h", "1h 90m", "1 h 30 m x"])
def test_log_form_rejects_other_duration_forms_naming_the_accepted_ones(
    client, app, habit_id, text
):
    response = post_log(client, habit_id, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a duration such as 90, 1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours." in page
    assert logs_in_db(app) == []


@pytest.mark.parametrize("statement", ["within the day", "at once", "at once, moving state"])
def test_a_new_logs_day_total_is_an_index_only_scan_of_its_day_in_a_generic_plan(
    app, database_url, make_user, make_habit, statement
):
    """psycopg prepares a statement after five runs on one connection, and PostgreSQL may then
    plan it once for any values. The day's total must still read that day's entries alone,
    from the index that holds them with their minutes (migration 0014), in the guarded insert
    and in the one that takes the account's lock too. Before it, on a large database the
    generic plan read every entry of the account from the analytics index."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a PostgreSQL generic plan")
    from psycopg import sql
    from sqlalchemy.dialects.postgresql import psycopg as pg

    from httracker.habits import log_insert

    owners = [make_user(name) for name in ("alice", "bob", "carol")]
    habits = {owner.id: [make_habit(owner.id, f"Habit {n}") for n in range(4)] for owner in owners}
    with app.app_context():
        for user_id, ids in habits.items():
            db.session.execute(
                text(
                    "INSERT INTO habit_log (user_id, habit_id, date, minutes, created_at)"
                    " SELECT :user_id, habit, DATE '2020-01-01' + day, 10, now()"
                    " FROM unnest(CAST(:ids AS integer[])) AS habit,"
                    " generate_series(0, 1499) AS day"
                ),
                {"user_id": user_id, "ids": ids},
            )
        db.session.commit()
        alice = owners[0].id
        values = {
            "user_id": alice,
            "habit_id": habits[alice][0],
            "date": date(2021, 6, 1),
            "minutes": 5,
            "note": None,
            "created_at": datetime.now(UTC),
        }
        tested = log_insert.INSERT_LOG_WITHIN_DAY_RETURNING
        if statement != "within the day":
            tested = log_insert.INSERT_AT_ONCE
            values = {log_insert.LOG_VALUE + name: value for name, value in values.items()}
            values.update(account=alice, step=1, seen=1)
        if statement == "at once, moving state":
            values.update(owner=alice, habits=habits[alice][:1], last_valid=date(2021, 4, 1))
            # Its habits' IN list is rendered as executed: one parameter per habit.
            tested = log_insert.INSERT_AT_ONCE_MOVING.params(**values)
        compiled = tested.compile(
            dialect=pg.dialect(paramstyle="numeric_dollar"),
            column_keys=list(values),
            compile_kwargs={"render_postcompile": True},
        )
        arguments = [{**compiled.params, **values}[name] for name in compiled.positiontup]
        cursor = db.session.connection().connection.driver_connection.cursor()
        cursor.execute("ANALYZE habit_log")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(sql.SQL("PREPARE day_insert AS {}").format(sql.SQL(str(compiled))))
        try:
            cursor.execute(
                sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE day_insert({})").format(
                    sql.SQL(", ").join(sql.Literal(value) for value in arguments)
                )
            )
            plan = json.dumps(cursor.fetchone()[0])
        finally:
            # A prepared statement outlives its transaction (even an aborted one): the pooled
            # connection drops it before going back.
            cursor.connection.rollback()
            cursor.execute("DEALLOCATE day_insert")
            db.session.rollback()
    scans = re.findall(r'"Node Type": "([^"]*Scan)"[^{}]*?"Index Name": "([^"]*)"', plan)
    logs = [scan for scan in scans if "habit_log" in scan[1]]
    assert logs == [("Index Only Scan", "ix_habit_log_user_id_date_minutes")], plan
