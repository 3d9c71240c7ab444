"""Reading CSV and JSON files into records, with every problem named by its place: the line
of a CSV file, the path in a JSON document (`habits[3].logs[17].minutes`, counted from 0).

Only the shape is checked here (text, whole numbers, dates on the calendar); the rules on names,
targets, minutes, dates and notes are the habits' own, checked when the records are imported."""

import csv
import io
import json
from datetime import date
from pathlib import PurePath

from ..models import fold
from ..security import has_nul
from .records import (
    BOOLEANS,
    CSV_COLUMNS,
    CSV_LOG_COLUMNS,
    CSV_REQUIRED,
    DATE_PATTERN,
    FORMATS,
    JSON_FORMAT_NAME,
    JSON_VERSION,
    BadValue,
    HabitRecord,
    ImportData,
    ImportRejected,
    LogRecord,
    unneutralise,
)


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


def parse(data: bytes, fmt: str) -> ImportData:
    """The habits and logs in a file, or ImportRejected listing every problem."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected(["The file is empty."])
    return parse_csv(text) if fmt == "csv" else parse_json(text)


def parse_csv(text: str) -> ImportData:
    """Records from CSV text; every bad row is reported with its line number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[str] = []
    parsed = ImportData(fmt="csv")
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        unknown = [name for name in header if name not in CSV_COLUMNS]
        missing = [name for name in CSV_REQUIRED if name not in header]
        if missing and (unknown or not header):
            expected = ",".join(CSV_LOG_COLUMNS)
            raise ImportRejected([f"Line 1: the header row is missing; start with {expected}."])
        if unknown:
            known = ", ".join(CSV_COLUMNS)
            raise ImportRejected(
                [f"Line 1: unknown column {name!r} (known: {known})." for name in unknown]
            )
        if missing:
            raise ImportRejected(
                [f"Line 1: the header has no {name!r} column." for name in missing]
            )
        if len(set(header)) != len(header):
            raise ImportRejected(["Line 1: a column appears twice in the header."])
        line = reader.line_num + 1
        for row in reader:
            if row:
                try:
                    _parse_csv_row(parsed, header, row, f"Line {line}")
                except BadValue as error:
                    errors.append(parsed.problem(f"Line {line}", error))
            line = reader.line_num + 1
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if errors:
        raise ImportRejected(errors)
    return parsed


def _parse_csv_row(parsed: ImportData, header: list[str], row: list[str], where: str) -> None:
    """Add the row's habit (first mention wins) and its log, if it has one."""
    if len(row) != len(header):
        raise BadValue(None, f"expected {len(header)} cells, found {len(row)}.")
    cells = dict(zip(header, row, strict=True))
    name = _text("name", unneutralise(cells["habit"])).strip()
    habit = HabitRecord(
        name=name,
        category=_text("category", unneutralise(cells.get("category", ""))).strip(),
        target_minutes=_csv_number("target_minutes", cells.get("target_minutes", ""), True),
        target_period=cells.get("target_period", "").strip().lower() or "day",
        archived=_csv_boolean(cells.get("archived", "")),
        where=where,
    )
    parsed.add_habit(habit)
    note = _text("note", unneutralise(cells.get("note", ""))).strip()
    if not (cells["date"].strip() or cells["minutes"].strip() or note):
        return  # a row that only describes a habit
    day, minutes = _date(cells["date"]), _csv_number("minutes", cells["minutes"])
    parsed.logs.append(LogRecord(habit.name, day, minutes, note or None, where))


def parse_json(text: str) -> ImportData:
    """Records from a JSON export; every bad habit or log is reported by its JSON path."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        place = f"Line {error.lineno}, column {error.colno}"
        raise ImportRejected([f"{place}: not valid JSON ({error.msg})."]) from None
    except (ValueError, RecursionError):
        # Numbers of thousands of digits, or nesting deeper than any export has.
        message = "Not valid JSON: a number is too long or it nests too deep."
        raise ImportRejected([message]) from None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT_NAME:
        raise ImportRejected([f'Not an HT-Tracker export: "format" must be "{JSON_FORMAT_NAME}".'])
    if document.get("version") != JSON_VERSION:
        raise ImportRejected([f"Unsupported export version {document.get('version')!r}; use 1."])
    habits = document.get("habits")
    if not isinstance(habits, list):
        raise ImportRejected(["habits: must be a list."])
    errors: list[str] = []
    parsed = ImportData(fmt="json")
    for number, item in enumerate(habits):
        where = f"habits[{number}]"
        try:
            habit, logs = _json_habit(parsed, item, where)
        except BadValue as error:
            errors.append(parsed.problem(where, error))
            continue
        for index, log in enumerate(logs):
            log_where = f"{where}.logs[{index}]"
            try:
                parsed.logs.append(_json_log(habit.name, log, log_where))
            except BadValue as error:
                errors.append(parsed.problem(log_where, error))
    if errors:
        raise ImportRejected(errors)
    return parsed


def _json_habit(parsed: ImportData, item, where: str) -> tuple[HabitRecord, list]:
    """The habit at `where` (added to `parsed`) and its logs, still to be read."""
    if not isinstance(item, dict):
        raise BadValue(None, "each habit must be an object with a name and its logs.")
    if not isinstance(item.get("name"), str):
        raise BadValue("name", f"each habit needs a text name, not {item.get('name')!r}.")
    habit = HabitRecord(
        name=_text("name", item["name"]).strip(),
        category=_json_text("category", item.get("category")).strip(),
        target_minutes=_json_number("target_minutes", item.get("target_minutes")),
        target_period=_json_text("target_period", item.get("target_period")) or "day",
        archived=_json_boolean("archived", item.get("archived", False)),
        where=where,
    )
    first = parsed.habits.get(fold(habit.name))
    if first is not None:
        raise BadValue("name", f"{habit.name!r} is the name of {first.where} already.")
    parsed.add_habit(habit)
    logs = item.get("logs", [])
    if not isinstance(logs, list):
        raise BadValue("logs", "must be a list.")
    return habit, logs


def _json_log(habit: str, log, where: str) -> LogRecord:
    if not isinstance(log, dict):
        raise BadValue(None, "each log must be an object with date, minutes and note.")
    minutes = log.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise BadValue("minutes", f"must be a whole number, not {minutes!r}.")
    date_text = log.get("date")
    if not isinstance(date_text, str):
        raise BadValue("date", f"{date_text!r} is not a date; use YYYY-MM-DD.")
    note = _json_text("note", log.get("note")).strip()
    return LogRecord(habit, _date(date_text), minutes, note or None, where)


def _text(name: str, value: str) -> str:
    """Text the database can store: no NUL characters, no lone surrogates."""
    if has_nul(value) or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise BadValue(name, "the text holds a NUL or an invalid character.")
    return value


def _date(text: str) -> date:
    text = text.strip()
    if not DATE_PATTERN.fullmatch(text):
        raise BadValue("date", f"{text!r} is not a date; use YYYY-MM-DD.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue("date", f"{text!r} is not a date on the calendar.") from None


def _csv_number(name: str, text: str, optional: bool = False) -> int | None:
    """A whole number from a cell; an empty cell is None when `optional`."""
    text = text.strip()
    if optional and not text:
        return None
    if not (text.isascii() and text.isdigit()):
        either = " or empty" if optional else ""
        raise BadValue(name, f"must be a whole number{either}, not {text!r}.")
    # Longer is beyond every limit anyway, and int() of thousands of digits is slow or refused.
    return int(text) if len(text) <= 18 else 10**18


def _csv_boolean(text: str) -> bool:
    try:
        return BOOLEANS[text.strip().lower()]
    except KeyError:
        raise BadValue("archived", f"must be true or false, not {text!r}.") from None


def _json_text(name: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadValue(name, f"must be text or null, not {value!r}.")
    return _text(name, value)


def _json_number(name: str, value) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadValue(name, f"must be a whole number or null, not {value!r}.")
    return value


def _json_boolean(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise BadValue(name, f"must be true or false, not {value!r}.")
    return value
