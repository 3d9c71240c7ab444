"""Copy a whole HT-Tracker database from one engine to another, keeping primary keys."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config import normalise_database_url

from .extensions import db
from .paths import MIGRATIONS_DIR

BATCH_SIZE = 1000
Progress = Callable[[int], AbstractContextManager]


class TransferError(RuntimeError):
    """The transfer was refused or failed; the message is one line for the operator."""


@dataclass
class TableCount:
    table: str
    source: int
    target: int


def head_revisions() -> set[str]:
    """The revisions the migration scripts end at."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def database_revisions(engine: Engine) -> set[str]:
    """The revisions a database is migrated to (empty when it was never migrated)."""
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per application table."""
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def open_engine(url: str) -> Engine:
    """An engine for `url`, or a TransferError naming the unusable URL."""
    try:
        return create_engine(normalise_database_url(url))
    except (SQLAlchemyError, ValueError) as error:
        raise TransferError(f"Cannot use database URL {safe_url(url)}: {error}") from None


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is not shown at all
        return "(unparsable URL)"


def check_transfer(source: Engine, target: Engine) -> dict[str, int]:
    """Refuse unless both databases are at the same head revision and the target is empty;
    return the source's row counts."""
    if source.url == target.url:
        raise TransferError("Source and target are the same database.")
    heads = head_revisions()
    for name, engine in (("source", source), ("target", target)):
        revisions = database_revisions(engine)
        if revisions != heads:
            found = ", ".join(sorted(revisions)) or "none"
            raise TransferError(
                f"The {name} database is at revision {found}, not {', '.join(sorted(heads))}; "
                f"run `flask db upgrade` against it first."
            )
    filled = {table: count for table, count in row_counts(target).items() if count}
    if filled:
        listing = ", ".join(f"{table} ({count} rows)" for table, count in filled.items())
        raise TransferError(f"The target database is not empty: {listing}. Nothing was copied.")
    return row_counts(source)


def copy_rows(source: Engine, target: Engine, on_batch: Callable[[int], None]) -> None:
    """Copy every table in batches inside one target transaction, parents first."""
    with source.connect() as reading, target.begin() as writing:
        for table in db.metadata.sorted_tables:
            primary_key = list(table.primary_key.columns)
            result = reading.execution_options(yield_per=BATCH_SIZE).execute(
                select(table).order_by(*primary_key)
            )
            for batch in result.mappings().partitions(BATCH_SIZE):
                writing.execute(table.insert(), [dict(row) for row in batch])
                on_batch(len(batch))
        advance_sequences(writing)


def advance_sequences(connection) -> None:
    """Move PostgreSQL's id sequences past the copied ids (MySQL and SQLite follow max(id))."""
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue  # a link table keyed by the rows it links (habit_break_habit)
        highest = select(func.coalesce(func.max(column), 0)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        connection.execute(select(func.setval(sequence, highest + 1, False)))


def transfer(
    source_url: str, target_url: str, progress: Progress | None = None
) -> list[TableCount]:
    """Copy everything from source to target; the per-table counts of both sides afterwards.

    `progress(total_rows)` gives a context manager whose value has `update(rows)`."""
    source, target = open_engine(source_url), open_engine(target_url)
    try:
        try:
            total = sum(check_transfer(source, target).values())
            with progress(total) if progress else nullcontext() as bar:
                copy_rows(source, target, bar.update if bar else lambda rows: None)
            before, after = row_counts(source), row_counts(target)
        except SQLAlchemyError as error:
            reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0]
            raise TransferError(f"Database error, nothing was copied: {reason}") from None
        return [TableCount(table, before[table], after[table]) for table in before]
    finally:
        source.dispose()
        target.dispose()
