"""Reading CSV and JSON files into records, with every problem named by its place: the line
of a CSV file, the path in a JSON document (`habits[3].logs[17].minutes`, counted from 0).

Only the shape is checked here (text, whole numbers, dates on the calendar); the rules on names,
targets, minutes, dates and notes are the habits' own, checked when the records are imported."""

from pathlib import PurePath

from .csv_parsing import parse_csv
from .json_parsing import parse_json
from .records import FORMATS, ImportData, ImportRejected


def format_of(filename: str | None, data: bytes = b"") -> str:
    """'csv' or 'json' from the file name, else from the content."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "json" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def decode(data: bytes) -> str:
    """The file as text, or a rejection naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            [f"Line {line}: the file is not UTF-8 text; save it as UTF-8."]
        ) from None


def parse(data: bytes, fmt: str, max_entries: int | None = None) -> ImportData:
    """The habits, entries and breaks in a file, or ImportRejected listing every problem; a file
    of more than `max_entries` entries is refused before they are read."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected(["The file is empty."])
    return parse_csv(text, max_entries) if fmt == "csv" else parse_json(text, max_entries)
