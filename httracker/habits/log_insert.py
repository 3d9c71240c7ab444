"""Inserting a log within its day's 24 hours: the day limit's check and the insert in one
statement, under the account's lock (services.add_log).

Most writes are a user logging time with nothing else of theirs changing meanwhile. On
PostgreSQL that write is one statement that also takes the lock (`insert_at_once`), or two when
another change of the account committed while it waited for the lock; otherwise the lock comes
first (services.lock_user) and the guarded insert follows (`insert_within_day`)."""

from typing import NamedTuple

from sqlalchemy import Insert, Select, bindparam, func, insert, select, true

from .. import versions
from ..analytics import invalidation
from ..extensions import db
from ..models import MAX_DAY_MINUTES, Habit, HabitLog

LOGS = HabitLog.__table__
HABITS = Habit.__table__
# Every column but the id, so a new column is an error here, not a default silently left out.
COLUMNS = [column.name for column in LOGS.c if column.name != "id"]


def _value(name: str, prefix: str = ""):
    """The parameter of the new log's column `name`, named `prefix` + the column."""
    return bindparam(prefix + name, type_=LOGS.c[name].type)


def _usual_habit(prefix: str) -> Select:
    """SELECT the name of the log's habit when it is as most logs find it: the account's,
    active and timed (services.check_timed), as committed when the statement's snapshot is."""
    habit = HABITS.c
    return select(habit.name).where(
        habit.id == _value("habit_id", prefix),
        habit.user_id == _value("user_id", prefix),
        habit.kind == "time",
        habit.archived.is_(False),
    )


def _within_day(moved=None, prefix: str = "") -> Insert:
    """INSERT INTO habit_log … SELECT the new row FROM the day's total WHERE the new minutes
    fit in it (and, with the CTE `moved`, the version moved from is the one the statement's
    snapshot holds and the habit is as most logs find it, `_usual_habit`). Built once, with
    the values as parameters, named `prefix` + their column."""

    def value(name: str):
        return _value(name, prefix)

    logged = (
        select(func.coalesce(func.sum(LOGS.c.minutes), 0).label("logged"))
        .where(LOGS.c.user_id == value("user_id"), LOGS.c.date == value("date"))
        .subquery("day")
    )
    row = select(*(value(name) for name in COLUMNS))
    row = row.where(logged.c.logged + value("minutes") <= MAX_DAY_MINUTES)
    if moved is None:
        row = row.select_from(logged)
    else:
        row = row.select_from(logged.join(moved, true()))
        row = row.where(moved.c.moved_from == versions.version_in_snapshot())
        row = row.where(_usual_habit(prefix).exists())
    return insert(LOGS).from_select(COLUMNS, row, include_defaults=False)


INSERT_LOG_WITHIN_DAY = _within_day()
# PostgreSQL, MariaDB and SQLite 3.35+ return the new id; MySQL and older SQLite give it as the
# cursor's last row id.
INSERT_LOG_WITHIN_DAY_RETURNING = INSERT_LOG_WITHIN_DAY.returning(LOGS.c.id)


def insert_within_day(values: dict) -> int | None:
    """Insert the log when its minutes fit its day; its id, or None when nothing was written.
    The caller holds the account's lock, under which the day's total cannot change."""
    # What the session holds unflushed (an edited or deleted log) counts in the day's total.
    db.session.flush()
    if db.session.get_bind().dialect.insert_returning:
        return db.session.execute(INSERT_LOG_WITHIN_DAY_RETURNING, values).scalar()
    result = db.session.execute(INSERT_LOG_WITHIN_DAY, values)
    return result.lastrowid if result.rowcount == 1 else None


def _at_once(moving: bool, one: bool = False):
    """WITH moved AS (UPDATE the account's version … RETURNING the version it moved from),
    new_log AS (INSERT … SELECT the row WHERE it fits the day AND the version moved from is the
    one the snapshot holds AND the habit is the account's, active and timed) SELECT
    moved_from, the snapshot's version, the new id and the habit's name when it is so
    (`habit_name`); `moving`, with the habit's stored state moved back as well, when the log
    was written (invalidation.moves_after; with `one`, moves_after_one), and the count of
    state rows moved.

    The whole statement reads one snapshot, taken before the UPDATE waits for the lock. It is
    the account as committed under the lock when the two versions are equal
    (versions.version_in_snapshot). Otherwise a change committed while it waited, and nothing
    is inserted; run again under the lock it now holds, the statement reads a snapshot that
    holds every change of the account.
    (A read storing the habit's state takes no account lock: the state row it updates is
    waited for and moved back as committed; month rows it adds meanwhile lie past the moved
    checkpoint, where nothing reads them and the next store replaces them.)"""
    moved = versions.moved_cte("moved")
    # The log's values go by other names than the tables' columns: an UPDATE takes a parameter
    # named after one of its table's columns (created_at, user_id) as a value to set.
    new_log = _within_day(moved, LOG_VALUE).returning(LOGS.c.id).cte("new_log")
    log_id = select(new_log.c.id).scalar_subquery().label("log_id")
    usual = _usual_habit(LOG_VALUE).scalar_subquery().label("habit_name")
    columns = [moved.c.moved_from, versions.version_in_snapshot().label("held"), log_id, usual]
    if not moving:
        return select(*columns)
    if one:  # the one habit's moves, and its state row added when it has none
        states, months, added = invalidation.moves_after_one(new_log)
    else:
        (states, months), added = invalidation.moves_after(new_log), None
    count = select(func.count()).select_from(states).scalar_subquery().label("states_moved")
    statement = select(*columns, count).add_cte(months)
    return statement if added is None else statement.add_cte(added)


LOG_VALUE = "log_"
INSERT_AT_ONCE = _at_once(moving=False)
INSERT_AT_ONCE_MOVING = _at_once(moving=True)
# A transaction's only write, committed with it (log_trip.py): one habit's moves, its state row
# added in the statement when it has none.
INSERT_AT_ONCE_MOVING_ONE = _at_once(moving=True, one=True)


def at_once_here() -> bool:
    """Whether the session's database writes a log in one statement (`insert_at_once`):
    PostgreSQL, whose data-modifying WITH takes the lock, checks and inserts in one go."""
    return db.session.get_bind().dialect.name == "postgresql"


class AtOnce(NamedTuple):
    """What `insert_at_once` did: `done`, the new log's id (None when it did not fit its day)
    and the habit's name as committed."""

    done: bool
    log_id: int | None = None
    habit_name: str | None = None


NOT_DONE = AtOnce(False)


def insert_at_once(user_id: int, values: dict) -> AtOnce:
    """On PostgreSQL, take the account's lock and insert the log in one statement, moving its
    habit's stored state back with it (as `invalidation.invalidate`); done, with its id, or
    with None when it did not fit its day. When a change of the account committed while the
    statement waited for the lock, it inserts nothing; the same statement runs again, under the
    lock, on a snapshot that holds that change. Not done when the insert was not made that way
    (another database, the account already moved in this transaction, the habit not the
    account's active time habit as committed; then the lock may be held, and the caller locks,
    reads the habit again, checks and inserts as usual)."""
    session = db.session()
    if not at_once_here():
        return NOT_DONE
    session.flush()  # what the session holds unflushed moves the version first (versions.py)
    move = versions.move_in_statement(session, user_id)
    if move is None:
        return NOT_DONE
    parameters = {LOG_VALUE + name: value for name, value in values.items()}
    habit_id, day = values["habit_id"], values["date"]
    moves = invalidation.move_values(user_id, [habit_id], day) if invalidation.needed(day) else {}
    parameters.update(moves)
    statement = INSERT_AT_ONCE_MOVING if moves else INSERT_AT_ONCE
    connection = session.connection()
    row = connection.execute(statement, {**parameters, **move}).one_or_none()
    if row is None:  # no such account (deleted meanwhile): the usual way says what follows
        return NOT_DONE
    versions.moved_in_statement(session, user_id)
    if row.moved_from != row.held:
        # Under the lock now, where nothing of the account can commit: again, from here.
        row = connection.execute(statement, {**parameters, **versions.move_on(move)}).one()
        if row.moved_from != row.held:  # no change can commit past the lock
            return NOT_DONE
    if row.habit_name is None:  # deleted, archived or made a check habit: the usual way decides
        return NOT_DONE
    if moves and row.log_id is not None:
        invalidation.moved_after(moves, row.states_moved)
    return AtOnce(True, row.log_id, row.habit_name)
