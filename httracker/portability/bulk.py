"""Many rows into one table at once, inside the request's transaction: `COPY` on PostgreSQL,
one executemany elsewhere (PyMySQL folds it into multi-row INSERTs, SQLite runs it in C).

An import of 150,000 logs through the ORM (or psycopg's row-by-row pipeline) spent most of its
time on per-row work; rows here are plain tuples, and every row of one import gets the same
`created_at`."""

import psycopg
from psycopg import sql
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError

from .. import versions
from ..extensions import db


def insert_rows(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`); IntegrityError as SQLAlchemy raises it."""
    if not rows:
        return
    if "user_id" in columns:
        # Past the session's events: say whose rows these are (versions.py).
        at = columns.index("user_id")
        versions.bump(db.session(), {row[at] for row in rows})
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver_connection = connection.connection.driver_connection
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.IntegrityError as error:
        raise IntegrityError(str(statement.as_string(driver_connection)), None, error) from error
