"""One running import per account, across every worker and instance: while an import runs, the
database holds a lock named after the account (a PostgreSQL advisory lock, MariaDB's GET_LOCK).
It is taken without waiting, so a second import is refused at once instead of holding a worker
until the first ends, and the database drops it if the process holding it dies."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, func, select

from ..extensions import db
from .records import ImportRejected

IMPORT_RUNNING = (
    "Another import into this account is still running; wait until it has finished, then try again."
)
# The first key of our PostgreSQL advisory locks ("HT"); the second is the account's id.
ADVISORY_LOCK_CLASS = 0x4854


@contextmanager
def import_slot(user_id: int) -> Iterator[None]:
    """Hold the account's import lock for the block, or raise ImportRejected(IMPORT_RUNNING).

    SQLite runs one write transaction at a time (see database.py): a second import there waits
    for the first, then runs, so there is nothing to refuse."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        yield
        return
    # A connection of its own, outside the import's transaction: the lock must outlive the
    # commit, and the request's session must stay free to roll back.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not _try_lock(connection, user_id):
            raise ImportRejected([IMPORT_RUNNING])
        try:
            yield
        finally:
            try:
                _unlock(connection, user_id)
            except Exception:
                # Never hand a connection that may still hold the lock back to the pool.
                connection.invalidate()
                raise


def _lock_name(connection: Connection, user_id: int) -> str:
    # MariaDB's locks are server-wide: the database's name keeps other databases' apart.
    return f"{connection.engine.url.database}:import:{user_id}"[-64:]


def _try_lock(connection: Connection, user_id: int) -> bool:
    if connection.dialect.name == "postgresql":
        query = select(func.pg_try_advisory_lock(ADVISORY_LOCK_CLASS, user_id))
    else:
        query = select(func.get_lock(_lock_name(connection, user_id), 0))
    return bool(connection.scalar(query))


def _unlock(connection: Connection, user_id: int) -> None:
    if connection.dialect.name == "postgresql":
        connection.scalar(select(func.pg_advisory_unlock(ADVISORY_LOCK_CLASS, user_id)))
    else:
        connection.scalar(select(func.release_lock(_lock_name(connection, user_id))))
