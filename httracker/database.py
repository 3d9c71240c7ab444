"""Per-connection database setup, how a request that only read ends its transaction, and reads
that run ahead of it."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .extensions import db

# Connection.info: the transaction ran a statement that may have written.
WROTE = "httracker_wrote"
# Session.info: the connection its transaction runs on, once it has one.
CONNECTION = "httracker_connection"
# What a statement that writes nothing begins with (SELECT … FOR UPDATE reads and locks; its
# lock ends with the transaction either way). A data-modifying WITH begins otherwise.
READS = ("SELECT", "SHOW", "BEGIN")


def register(app: Flask) -> None:
    """On SQLite: enforce foreign keys, and make each transaction take the write lock when it
    begins, so SQLite keeps the same rules under concurrent requests as the database servers.
    Everywhere: a request that only read commits its transaction (see `end_reads`)."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", _forget_writes)
    event.listen(engine, "before_cursor_execute", _note_write)
    app.teardown_request(end_reads)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_on_connect)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)


def _forget_writes(connection) -> None:
    connection.info.pop(WROTE, None)


def _note_write(connection, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip()[:6].upper().startswith(READS):
        connection.info[WROTE] = True


def end_reads(error: BaseException | None) -> None:
    """End the transaction of a request that only read with COMMIT. On PostgreSQL that keeps
    the connection's prepared statements: psycopg drops them all at a ROLLBACK (and sends
    DEALLOCATE ALL), and would parse and plan the next request's statements afresh; elsewhere
    it costs what a ROLLBACK does. A transaction that ran any statement but a SELECT, holds
    unflushed changes or is no longer active, and a request that raised an error no handler
    answered, are left as they are: the session's end rolls them back, as before. (An answered
    error, a 404 say, that only read commits too.) Nothing here turns an answer into an error."""
    if error is not None:
        return
    session = db.session()
    connection = session.info.get(CONNECTION)
    if connection is None or not session.is_active or connection.info.get(WROTE):
        return
    if session.new or session.dirty or session.deleted:
        return
    with suppress(SQLAlchemyError):  # the session's end then rolls back what is left
        session.commit()


@event.listens_for(Session, "after_begin")
def _connected(session, transaction, connection) -> None:
    """Note the connection a session's transaction runs on (one bind: one connection)."""
    session.info[CONNECTION] = connection


@event.listens_for(Session, "after_transaction_end")
def _disconnected(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CONNECTION, None)


@contextmanager
def each_alone(driver) -> Iterator[None]:
    """psycopg sends the block's statements without BEGIN (autocommit): the server runs each
    as a transaction of its own, or those sent together in a pipeline as one, which the
    pipeline's end commits. The connection is then back as it was."""
    before = driver.autocommit
    driver.autocommit = True
    try:
        yield
    finally:
        if not driver.closed:
            driver.autocommit = before


def nothing_begun(driver) -> bool:
    """Whether nothing of a transaction has reached the server on this psycopg connection."""
    return not driver.autocommit and driver.info.transaction_status == TransactionStatus.IDLE


@contextmanager
def ahead_of_the_transaction(session: Session) -> Iterator[None]:
    """Run the block's reads ahead of the session's transaction on the database, each on its
    own, when nothing of that transaction has reached PostgreSQL yet (`each_alone`, as
    SQLAlchemy's own connection ping runs). Under READ COMMITTED a read sees the same rows in a
    transaction or alone, and these take no lock. The transaction then begins with the
    request's first statement after them, and the log form's one round trip
    (habits/log_trip.py) can be a transaction of its own. Elsewhere, or once the transaction
    has begun, the block runs in it as usual."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or not nothing_begun(driver):
        yield
        return
    with each_alone(driver):
        yield


def _postgresql_on_connect(dbapi_connection, connection_record) -> None:
    # A transaction psycopg begins is READ COMMITTED (config.engine_options); so is one the
    # server begins on its own, as the log form's one round trip has it do: whatever an
    # operator made the server's default.
    with each_alone(dbapi_connection):
        dbapi_connection.execute("SET default_transaction_isolation TO 'read committed'")


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    # Foreign keys are off unless every connection turns them on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLAlchemy's pysqlite recipe: the driver would begin a transaction only before its first
    # INSERT or UPDATE, so the reads before it (today's total, "is the name free?") would see
    # no lock, and `SELECT ... FOR UPDATE` means nothing to SQLite. The driver now begins
    # nothing; `_sqlite_on_begin` does.
    dbapi_connection.isolation_level = None


def _sqlite_on_begin(connection) -> None:
    # IMMEDIATE takes the write lock now and waits (the driver's busy timeout) while another
    # transaction holds it: transactions run one at a time, so a check and the write that
    # follows it cannot interleave with another's. A plain deferred BEGIN would let two
    # transactions read, then fail ("database is locked") when both try to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
