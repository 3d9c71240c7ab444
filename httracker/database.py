"""Per-connection database setup."""

from flask import Flask
from sqlalchemy import event

from .extensions import db


def register(app: Flask) -> None:
    """On SQLite: enforce foreign keys, and make each transaction take the write lock when it
    begins, so SQLite keeps the same rules under concurrent requests as the database servers."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)


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
