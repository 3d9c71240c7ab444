"""How a request's transaction ends: one that only read commits (on PostgreSQL the connection
so keeps its prepared statements); one that wrote without committing, failed or holds unflushed
changes is rolled back, as before."""

from collections import Counter

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, select, update
from sqlalchemy.engine import make_url

from httracker import create_app
from httracker.database import CONNECTION, ahead_of_the_transaction, end_reads
from httracker.extensions import db
from httracker.models import User


def _name_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(User.username).where(User.id == user_id))


@pytest.mark.parametrize("ending", ["read", "wrote", "failed", "unflushed", "unused"])
def test_only_a_request_that_read_and_nothing_else_commits(app, make_user, ending):
    """`end_reads` commits a transaction that ran only SELECTs; after a write statement (with
    the request answered, a 404 say, or not), an unanswered error or with a change not flushed
    yet, it leaves the transaction to the session's rollback, and nothing of it is kept. A
    transaction that never ran a statement gets no connection from it."""
    alice = make_user("alice")
    with app.test_request_context("/"):
        session = db.session()
        if ending == "unused":
            session.begin()
            end_reads(None)
            assert session.in_transaction() and CONNECTION not in session.info
            session.rollback()
            return
        session.execute(select(User.id)).all()
        if ending == "wrote":
            session.execute(update(User).where(User.id == alice.id).values(username="mallory"))
        if ending == "unflushed":
            session.get(User, alice.id).username = "mallory"
        end_reads(RuntimeError("the view failed") if ending == "failed" else None)
        assert session.in_transaction() is (ending != "read")
        session.rollback()
    assert _name_of(app, alice.id) == "alice"


def test_a_connection_keeps_its_prepared_statements_from_page_to_page_on_postgresql(
    app, client, user, make_habit
):
    """After a ROLLBACK psycopg drops every prepared statement of the connection: pages that
    only read end with COMMIT instead, so a connection that has run the session's user query
    often enough (psycopg prepares a statement at its fifth run) still has it prepared after
    the pages in between."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements and the COMMIT of reads are PostgreSQL's")
    make_habit(user.id, "Piano")
    client.get("/dashboard")
    engine.dispose()  # the pool holds what earlier tests left: these pages start it afresh
    runs, connections = Counter(), {}

    def ran(connection, cursor, statement, *_):
        if "user_session.token_hash" in statement:
            raw = connection.connection.dbapi_connection
            connections[id(raw)] = raw
            runs[id(raw)] += 1

    event.listen(engine, "before_cursor_execute", ran)
    try:
        for _ in range(20):
            assert client.get("/logs/").status_code == 200
            assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", ran)
    busiest, count = runs.most_common(1)[0]
    assert count >= 6, runs
    raw = connections[busiest]  # idle in the pool now
    prepared = [row[0] for row in raw.execute("SELECT statement FROM pg_prepared_statements")]
    raw.rollback()
    assert any("user_session.token_hash" in statement for statement in prepared), prepared


def test_a_request_that_only_read_ends_with_commit(app, client, user, make_habit):
    """Each page that only read (and /healthz) commits its transaction; a rejected form that
    wrote nothing commits too; none of them rolls back."""
    with app.app_context():
        engine = db.engine
    piano = make_habit(user.id, "Piano")
    client.get("/dashboard")
    ends = []

    def commit(connection):
        ends.append("commit")

    def rollback(connection):
        ends.append("rollback")

    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    try:
        for path in ("/dashboard", "/logs/", f"/habits/{piano}", "/healthz"):
            assert client.get(path).status_code == 200
        data = {"habit_id": piano, "date": "", "minutes": "30"}  # no date: the form says so
        assert client.post("/logs/new", data=data).status_code == 400
    finally:
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)
    assert ends.count("rollback") == 0, ends
    assert ends.count("commit") >= 5, ends


def test_reads_ahead_of_the_transaction_begin_none_on_postgresql(app, make_user, database_url):
    """On PostgreSQL the reads of `ahead_of_the_transaction` run each on its own, before the
    session's transaction reaches the server; its first statement after them begins it, and the
    connection is back out of autocommit. Once a transaction has begun, and on the other
    databases, the block runs in the transaction. Either way the session's transaction goes on
    as before and its end commits or rolls back what it wrote."""
    alice = make_user("alice")
    postgresql = make_url(database_url).get_backend_name() == "postgresql"
    with app.test_request_context("/"):
        session = db.session()
        with ahead_of_the_transaction(session):
            assert session.scalar(select(User.username).where(User.id == alice.id)) == "alice"
        driver = session.connection().connection.driver_connection
        if postgresql:
            assert driver.info.transaction_status == TransactionStatus.IDLE
            assert not driver.autocommit
        session.execute(update(User).where(User.id == alice.id).values(username="mallory"))
        if postgresql:
            assert driver.info.transaction_status == TransactionStatus.INTRANS
        with ahead_of_the_transaction(session):  # begun: it reads in the transaction
            assert session.scalar(select(User.username).where(User.id == alice.id)) == "mallory"
        if postgresql:
            assert driver.info.transaction_status == TransactionStatus.INTRANS
        session.rollback()
    assert _name_of(app, alice.id) == "alice"


def test_the_servers_own_transactions_are_read_committed_whatever_its_default(database_url):
    """A transaction the server begins by itself (the log form's one round trip has it do so)
    is READ COMMITTED like those psycopg begins, even where an operator made the server's
    default another level."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's own transactions")
    url = make_url(database_url).update_query_dict(
        {"options": "-c default_transaction_isolation=serializable"}
    )
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url.render_as_string(False)})
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                level = connection.exec_driver_sql("SHOW default_transaction_isolation").scalar()
                current = connection.exec_driver_sql("SHOW transaction_isolation").scalar()
        finally:
            db.engine.dispose()
    assert (level, current) == ("read committed", "read committed")
