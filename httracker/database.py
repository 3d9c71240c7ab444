"""Per-connection database setup."""

from flask import Flask
from sqlalchemy import event

from .extensions import db


def register(app: Flask) -> None:
    """Enforce foreign keys on SQLite, where they are off unless every connection turns them on."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
