"""A log that is all its transaction writes, in one round trip to PostgreSQL: the account's lock
and the log's statement, sent together in psycopg's pipeline mode and committed at its end
(services.add_log_unread with `commit`, the log form's usual write).

Sent one after the other, they and the COMMIT cost a log two waits for the database and a lock
held across one of them: the statement's result went back to the worker, which then sent
COMMIT. Sent together, the server runs them in turn: the statement begins once the lock is
taken, so its snapshot holds every change of the account committed before (no second try, as
`log_insert.insert_at_once` needs after a wait), and the lock ends with the commit, on the
server, without a trip back to the worker in between.

When nothing of the request's transaction has reached the server (the session's user is read
ahead of it, database.ahead_of_the_transaction), the two are a transaction of the server's own:
in the extended query protocol, statements sent without BEGIN up to a Sync run in one
transaction, which the Sync commits (or, after an error, rolls back). psycopg sends neither
BEGIN nor COMMIT then: with the driver alone, the user's read and the trip take 0.2 ms less
so (bench/results/2026-11-30-write-alone.md). A transaction already begun is ended by a COMMIT
sent with them. Either runs READ COMMITTED (the server's default for the app's connections is
set so, database.py).

SQLAlchemy reads a result as soon as a statement is sent, which pipeline mode cannot give, so
these statements go to the driver directly, compiled once by SQLAlchemy with its parameter
processing. The session is told of the COMMIT at once (`Session.commit`, which finds nothing
left to send).

The lock and the log's statement are prepared on the connection at their first run, and the
log's keeps one plan made for any values (the lock sets `plan_cache_mode` for the transaction).
Otherwise a connection's first ten logs paid for planning it: psycopg prepares a statement at
its fifth run, and PostgreSQL plans a prepared statement for its values at its first five runs
before it settles on one plan; each such planning took 0.5–0.9 ms, more than running it. Every
value picks rows by an indexed key (an equality, or a month's bound), so one plan serves all."""

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import bindparam, func, select, true
from sqlalchemy.engine import Compiled, Dialect
from sqlalchemy.exc import DBAPIError

from .. import versions
from ..analytics import invalidation
from ..database import WROTE, each_alone, nothing_begun
from ..extensions import db
from ..models import User
from .log_insert import (
    INSERT_AT_ONCE,
    INSERT_AT_ONCE_MOVING_ONE,
    LOG_VALUE,
    NOT_DONE,
    AtOnce,
    at_once_here,
)

USERS = User.__table__
# libpq 14 and later: the binary package's own is; a system's older one goes the usual way.
PIPELINE = psycopg.Pipeline.is_supported()
# The lock an UPDATE of the account's row takes (its version moves in the log's statement).
# It also sets, until the COMMIT (as SET LOCAL would), that the statements after it keep the one
# plan made for any values.
LOCK = (
    select(USERS.c.id, func.set_config("plan_cache_mode", "force_generic_plan", true()))
    .where(USERS.c.id == bindparam("account"))
    .with_for_update(key_share=True)
)


class DriverStatement(NamedTuple):
    """A statement as the driver takes it: its SQL, and its parameters from SQLAlchemy's values
    (defaults of literal parameters added, each processed as its type wants)."""

    sql: str
    compiled: Compiled
    processors: dict[str, Callable[[Any], Any]]

    def parameters(self, values: dict) -> dict:
        parameters = self.compiled.construct_params(values)
        for name, process in self.processors.items():
            parameters[name] = process(parameters[name])
        return parameters


_COMPILED: dict[tuple[int, Dialect], DriverStatement] = {}


def for_driver(statement, dialect: Dialect) -> DriverStatement:
    """The statement compiled for this dialect, once."""
    key = (id(statement), dialect)
    found = _COMPILED.get(key)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        processors = {}
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        found = _COMPILED[key] = DriverStatement(compiled.string, compiled, processors)
    return found


def log_in_one_trip(user_id: int, values: dict) -> AtOnce | None:
    """Lock the account, insert the log within its day (moving its habit's stored state back)
    and commit, in one round trip. None when that cannot be done here, and nothing was sent:
    not PostgreSQL (with a libpq that has pipeline mode), or the transaction has changes of its
    own. Otherwise the transaction is over and committed: done with the log's id and habit's
    name; not done when nothing but the account's version was written (the day was full, or
    the habit is not the account's active time habit), and the caller goes the usual way,
    which says why."""
    session = db.session()
    if not (PIPELINE and at_once_here()) or session.new or session.dirty or session.deleted:
        return None
    connection = session.connection()
    move = versions.move_in_statement(session, user_id)
    if move is None or connection.info.get(WROTE):
        return None
    parameters = {LOG_VALUE + name: value for name, value in values.items()}
    day = values["date"]
    statement = INSERT_AT_ONCE
    if invalidation.needed(day):
        statement = INSERT_AT_ONCE_MOVING_ONE
        parameters.update(invalidation.move_values(user_id, None, day), habit=values["habit_id"])
    parameters.update(move)
    lock, log = for_driver(LOCK, connection.dialect), for_driver(statement, connection.dialect)
    driver = connection.connection.driver_connection
    # Nothing of the transaction has reached the server (the session's user was read ahead of
    # it): the two statements are the server's own transaction, which the pipeline's end
    # (its Sync) commits; psycopg sends no BEGIN and no COMMIT.
    alone = nothing_begun(driver)
    try:
        with driver.cursor() as locking, driver.cursor() as writing:
            sent = [
                (locking, lock.sql, lock.parameters({"account": user_id})),
                (writing, log.sql, log.parameters(parameters)),
            ]
            with each_alone(driver) if alone else nullcontext(), driver.pipeline():
                for cursor, sql, values_sent in sent:
                    # The engine's listeners see them as any statement (counts, the write flag).
                    connection.dispatch.before_cursor_execute(
                        connection, cursor, sql, values_sent, None, False
                    )
                    cursor.execute(sql, values_sent, prepare=True)
                if not alone:
                    # As a statement: the pipeline's end then waits once for all three (the
                    # driver's commit would wait, and the end wait again).
                    locking.execute("COMMIT")
            row = writing.fetchone()
    except psycopg.Error as error:
        session.rollback()
        raise DBAPIError.instance(log.sql, parameters, error, psycopg.Error) from error
    session.commit()  # committed already: the session's own end of the transaction follows
    if row is None or row[0] != row[1] or row[2] is None or row[3] is None:
        return NOT_DONE
    return AtOnce(True, row[2], row[3])
