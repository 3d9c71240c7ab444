"""Any file an import takes, told apart by its content: our CSV and JSON exports, a Loop Habit
Tracker backup (`.db`) or CSV export (zip), and Toggl Track's and Clockify's detailed CSV
exports. Each becomes the same records (a Conversion), checked and written the same way."""

import csv
import io
from pathlib import PurePath

from .loop_csv import NOT_ZIP, is_zip, read_loop_csv
from .loop_db import NOT_SQLITE, is_sqlite, read_loop_db
from .parsing import decode, format_of, parse
from .records import Conversion, ImportRejected
from .timesheets import APP_NAMES, read_timesheet, timesheet_source

# What `flask import --from` takes; `auto` tells the format from the file.
ORIGINS = ("auto", "loop", "toggl", "clockify")
SOURCE_NAMES = {
    "httracker-csv": "HT-Tracker CSV export",
    "httracker-json": "HT-Tracker JSON export",
    "loop-db": "Loop Habit Tracker backup",
    "loop-csv": "Loop Habit Tracker CSV export",
    **{source: f"{name} detailed CSV export" for source, name in APP_NAMES.items()},
}
ORIGIN_NAMES = {
    "loop": "Loop Habit Tracker backup (.db) or CSV export (.zip)",
    **{source: SOURCE_NAMES[source] for source in APP_NAMES},
}


def source_of(data: bytes, filename: str | None = None, origin: str = "auto") -> str:
    """The file's source (a key of SOURCE_NAMES), or ImportRejected when it is not `origin`'s."""
    suffix = PurePath(filename or "").suffix.lower()
    if is_sqlite(data):
        found = "loop-db"
    elif is_zip(data):
        found = "loop-csv"
    elif suffix in (".db", ".sqlite", ".sqlite3"):
        raise ImportRejected([NOT_SQLITE])
    elif suffix == ".zip":
        raise ImportRejected([NOT_ZIP])
    else:
        fmt = format_of(filename, data)
        found = f"httracker-{fmt}"
        if fmt == "csv":
            found = _csv_source(data) or found
    if origin == "auto" or found.startswith(origin):
        return found
    raise ImportRejected([f"The file is not a {ORIGIN_NAMES[origin]}."])


def _csv_source(data: bytes) -> str | None:
    """'toggl' or 'clockify' when the first line is one of their headers."""
    first = data[:4096].split(b"\n", 1)[0]
    try:
        header = next(csv.reader(io.StringIO(first.decode("utf-8-sig", "replace"))), [])
    except csv.Error:
        return None
    return timesheet_source(header)


def read_source(data: bytes, source: str, max_entries: int, mapping: str = "") -> Conversion:
    """The records of a file of a known source, or ImportRejected listing every problem."""
    if not data.strip():
        raise ImportRejected(["The file is empty."])
    if source == "loop-db":
        return read_loop_db(data, max_entries)
    if source == "loop-csv":
        return read_loop_csv(data, max_entries)
    if source in ("toggl", "clockify"):
        return read_timesheet(decode(data), source, mapping, max_entries)
    fmt = source.removeprefix("httracker-")
    return Conversion(source, parse(data, fmt, max_entries))
