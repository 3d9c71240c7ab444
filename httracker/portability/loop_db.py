"""Reading a Loop Habit Tracker backup (`.db`, an SQLite file) without trusting it.

The upload is written to a private temporary file and opened read-only and immutable; its
schema may hold no triggers, views or virtual tables, `PRAGMA quick_check` must pass, and an
authorizer lets the connection do nothing but read the known columns of `Habits` and
`Repetitions` (no ATTACH, no functions, no writes). Every value read is type-checked."""

import os
import sqlite3
import tempfile
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path

from .loop import LoopHabit, convert_loop
from .records import Conversion, ImportRejected, too_many_entries

SQLITE_MAGIC = b"SQLite format 3\x00"
NOT_SQLITE = "The file is not a Loop Habit Tracker backup: it is not an SQLite database."
NOT_LOOP = (
    "The file is an SQLite database but not a Loop Habit Tracker backup: it has no Habits and "
    "Repetitions tables with Loop's columns."
)
CORRUPT = "The backup is damaged (SQLite's integrity check fails); export a new one from Loop."
HOSTILE = "The backup holds {what}, which a Loop Habit Tracker backup never has; it was not opened."
HABIT_COLUMNS = (
    "id", "name", "type", "freq_num", "freq_den", "target_type", "target_value", "unit",
    "color", "position", "archived",
)  # fmt: skip
ENTRY_COLUMNS = ("habit", "timestamp", "value")
TABLES = {"Habits": HABIT_COLUMNS, "Repetitions": (*ENTRY_COLUMNS, "notes")}
MAX_HABITS = 1000
DAY_MS = 86_400_000
EPOCH = date(1970, 1, 1)


def is_sqlite(data: bytes) -> bool:
    return data.startswith(SQLITE_MAGIC)


def read_loop_db(data: bytes, max_entries: int) -> Conversion:
    """The habits and entries of a Loop backup, or ImportRejected saying why not."""
    if not is_sqlite(data):
        raise ImportRejected([NOT_SQLITE])
    with _private_copy(data) as path, closing(_open(path)) as connection:
        try:
            habits = _read(connection, max_entries, _has_notes(connection))
        except sqlite3.DatabaseError as error:
            # A file that passes the checks but is still unreadable (damaged pages, odd types).
            raise ImportRejected([f"{CORRUPT} ({error})"]) from None
    return convert_loop("loop-db", habits)


@contextmanager
def _private_copy(data: bytes):
    """The bytes in a file only this process can read, removed afterwards with any journal."""
    descriptor, name = tempfile.mkstemp(prefix="loop-import-", suffix=".db")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        yield path
    finally:
        for leftover in (path, Path(f"{name}-journal"), Path(f"{name}-wal"), Path(f"{name}-shm")):
            leftover.unlink(missing_ok=True)


def _open(path: Path) -> sqlite3.Connection:
    """A read-only connection that runs nothing the file's schema brings."""
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise ImportRejected([NOT_SQLITE]) from None
    try:
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.execute("PRAGMA query_only=ON")
        connection.execute("PRAGMA cell_size_check=ON")
        _check_schema(connection)
        if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise ImportRejected([CORRUPT])
        connection.set_authorizer(_authorize)
    except sqlite3.DatabaseError:
        # The header says SQLite, but its pages do not hold together.
        connection.close()
        raise ImportRejected([CORRUPT]) from None
    except ImportRejected:
        connection.close()
        raise
    return connection


def _check_schema(connection: sqlite3.Connection) -> None:
    """No code in the schema, and the two tables we read with Loop's columns."""
    rows = connection.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
    for kind, what in (("trigger", "a trigger"), ("view", "a view")):
        if any(row[0] == kind for row in rows):
            raise ImportRejected([HOSTILE.format(what=what)])
    if any("virtual" in str(row[2] or "").lower().split()[:2] for row in rows):
        raise ImportRejected([HOSTILE.format(what="a virtual table")])
    tables = {row[1] for row in rows if row[0] == "table"}
    for table, columns in TABLES.items():
        if table not in tables:
            raise ImportRejected([NOT_LOOP])
        found = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if not set(columns) - {"notes"} <= found:
            raise ImportRejected([NOT_LOOP])


def _has_notes(connection: sqlite3.Connection) -> bool:
    """Loop 2.1 added notes to entries; older backups have none."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(Repetitions)")}
    return "notes" in columns


def _authorize(action: int, first, second, database, trigger) -> int:
    """Reading the known columns of Habits and Repetitions (and their list), and counting, is
    all we allow."""
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    # count(*) reads its table without naming a column or a database.
    if (
        action == sqlite3.SQLITE_READ
        and trigger is None
        and first in TABLES
        and ((database == "main" and second in TABLES[first]) or (database, second) == (None, ""))
    ):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and second == "count":
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and first == "table_info" and second in TABLES:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _read(connection: sqlite3.Connection, max_entries: int, has_notes: bool) -> list[LoopHabit]:
    (count,) = connection.execute("SELECT count(*) FROM Repetitions").fetchone()
    if count > max_entries:
        raise too_many_entries(max_entries)
    rows = connection.execute(
        "SELECT id, name, type, freq_num, freq_den, target_type, target_value, unit, color, "
        "position, archived FROM Habits LIMIT ?",
        (MAX_HABITS + 1,),
    ).fetchall()
    if len(rows) > MAX_HABITS:
        raise ImportRejected([f"The backup has more than {MAX_HABITS} habits."])
    habits = {row[0]: _habit(row) for row in rows if isinstance(row[0], int)}
    query = (
        "SELECT habit, timestamp, value, notes FROM Repetitions"
        if has_notes
        else "SELECT habit, timestamp, value, NULL FROM Repetitions"
    )
    problems: list[str] = []
    for habit_id, stamp, value, note in connection.execute(query):
        habit = habits.get(habit_id)
        if habit is None:
            continue  # an entry of a deleted habit, as Loop itself ignores it
        if not (isinstance(stamp, int) and isinstance(value, int)):
            problems.append(f"Loop habit {habit.name!r}: an entry that is not a number.")
            continue
        day = _day(stamp)
        if day is None:
            problems.append(f"Loop habit {habit.name!r}: an entry with an impossible date.")
            continue
        habit.entries.append((day, value, note if isinstance(note, str) else None))
    if problems:
        raise ImportRejected(problems)
    return list(habits.values())


def _habit(row: tuple) -> LoopHabit:
    _id, name, kind, num, den, target_type, target_value, unit, colour, position, archived = row
    return LoopHabit(
        name=name if isinstance(name, str) else "",
        numerical=kind == 1,
        freq_num=_whole(num, 1),
        freq_den=_whole(den, 1),
        target_type=_whole(target_type, 0),
        target_value=float(target_value) if isinstance(target_value, int | float) else 0.0,
        unit=unit if isinstance(unit, str) else "",
        colour=colour if isinstance(colour, int) else None,
        position=position if isinstance(position, int) else None,
        archived=bool(archived) if isinstance(archived, int) else False,
    )


def _whole(value, default: int) -> int:
    return value if isinstance(value, int) and 0 <= value <= 10_000 else default


def _day(stamp: int) -> date | None:
    """Loop stores a day as the milliseconds of its midnight in UTC."""
    try:
        return EPOCH + timedelta(days=stamp // DAY_MS)
    except OverflowError:
        return None
