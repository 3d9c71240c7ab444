"""Reading CSV and JSON files into records, with every problem named by its place."""

import bisect
import csv
import io
import json
import json.decoder
import json.scanner
import re
from datetime import date
from pathlib import PurePath

from ..models import MAX_DAY_MINUTES, NOTE_MAX, TARGET_PERIODS, fold
from ..security import has_nul
from ..timeutil import EARLIEST_DATE
from .records import (
    BOOLEANS,
    CSV_COLUMNS,
    CSV_LOG_COLUMNS,
    CSV_REQUIRED,
    DATE_PATTERN,
    FORMATS,
    JSON_FORMAT_NAME,
    JSON_VERSION,
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
    parsed = ImportData()
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
                _parse_csv_row(
                    parsed, dict(zip(header, row, strict=False)), row, header, line, errors
                )
            line = reader.line_num + 1
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if errors:
        raise ImportRejected(errors)
    return parsed


def _parse_csv_row(parsed, cells, row, header, line, errors) -> None:
    where = f"Line {line}"
    if len(row) != len(header):
        errors.append(f"{where}: expected {len(header)} cells, found {len(row)}.")
        return
    text = {name: unneutralise(cells.get(name, "")) for name in ("habit", "category", "note")}
    try:
        habit = HabitRecord(
            name=text["habit"].strip(),
            category=text["category"].strip(),
            target_minutes=_optional_int(cells.get("target_minutes", ""), "target_minutes"),
            target_period=cells.get("target_period", "").strip().lower() or "day",
            archived=_boolean(cells.get("archived", "")),
            where=where,
        )
        _check_habit_record(habit)
        parsed.add_habit(habit)
        if not (cells["date"].strip() or cells["minutes"].strip() or text["note"].strip()):
            return  # a row that only describes a habit
        parsed.logs.append(
            _log_record(habit.name, cells["date"], _minutes(cells["minutes"]), text["note"], where)
        )
    except ValueError as error:
        errors.append(f"{where}: {error}")


def parse_json(text: str) -> ImportData:
    """Records from a JSON export; every bad habit or log is reported by its position."""
    try:
        document = _located_json(text)
    except json.JSONDecodeError as error:
        raise ImportRejected([f"Line {error.lineno}: not valid JSON ({error.msg})."]) from None
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
        raise ImportRejected(['"habits" must be a list.'])
    errors: list[str] = []
    parsed = ImportData()
    for number, item in enumerate(habits, start=1):
        where = f"{_line_of(item)}habit {number}"
        try:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ValueError('each habit needs a text "name".')
            where = f"{_line_of(item)}habit {number} ({item['name']!r})"
            habit = HabitRecord(
                name=item["name"].strip(),
                category=_json_text(item.get("category"), "category").strip(),
                target_minutes=_json_int(item.get("target_minutes"), "target_minutes"),
                target_period=_json_text(item.get("target_period"), "target_period") or "day",
                archived=_json_bool(item.get("archived", False)),
                where=where,
            )
            _check_habit_record(habit)
            if fold(habit.name) in parsed.habits:
                raise ValueError("a habit of this name appears twice.")
            parsed.add_habit(habit)
            logs = item.get("logs", [])
            if not isinstance(logs, list):
                raise ValueError('"logs" must be a list.')
        except ValueError as error:
            errors.append(f"{where}: {error}")
            continue
        for index, log in enumerate(logs, start=1):
            log_where = f"{_line_of(log)}log {index} of habit {number} ({habit.name!r})"
            try:
                if not isinstance(log, dict):
                    raise ValueError("each log must be an object with date, minutes and note.")
                minutes = log.get("minutes")
                if isinstance(minutes, bool) or not isinstance(minutes, int):
                    raise ValueError(f"minutes must be a whole number, not {minutes!r}.")
                _check_minutes(minutes)
                note = _json_text(log.get("note"), "note")
                date_text = log.get("date")
                if not isinstance(date_text, str):
                    raise ValueError(f"{date_text!r} is not a date; use YYYY-MM-DD.")
                parsed.logs.append(_log_record(habit.name, date_text, minutes, note, log_where))
            except ValueError as error:
                errors.append(f"{log_where}: {error}")
    if errors:
        raise ImportRejected(errors)
    return parsed


class _LocatedObject(dict):
    """A JSON object that knows the line it starts on."""

    line = 0


def _located_json(text: str):
    """Parse JSON like json.loads, but objects remember their line, so errors can name it."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args):
        value, end = json.decoder.JSONObject(s_and_end, *args)
        located = _LocatedObject(value)
        located.line = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return located, end

    decoder.parse_object = parse_object
    # The C scanner ignores parse_object; the Python one calls it for every object.
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


def _line_of(value) -> str:
    return f"Line {value.line}, " if isinstance(value, _LocatedObject) else ""


def _check_text(value: str, name: str) -> None:
    """Text the database can store: no NUL characters, no lone surrogates."""
    if has_nul(value) or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise ValueError(f"the {name} holds a NUL or an invalid character.")


def _check_habit_record(habit: HabitRecord) -> None:
    _check_text(habit.name, "habit name")
    _check_text(habit.category, "category")
    if not habit.name:
        raise ValueError("the habit name is empty.")
    if habit.target_period not in TARGET_PERIODS:
        choices = " or ".join(f"'{period}'" for period in TARGET_PERIODS)
        raise ValueError(f"target_period must be {choices}, not {habit.target_period!r}.")


def _log_record(habit: str, date_text: str, minutes: int, note: str, where: str) -> LogRecord:
    date_text = date_text.strip()
    if not DATE_PATTERN.fullmatch(date_text):
        raise ValueError(f"{date_text!r} is not a date; use YYYY-MM-DD.")
    try:
        day = date.fromisoformat(date_text)
    except ValueError:
        raise ValueError(f"{date_text!r} is not a date on the calendar.") from None
    if day < EARLIEST_DATE:
        raise ValueError(f"{date_text}: dates start on {EARLIEST_DATE.isoformat()}.")
    _check_text(note, "note")
    note = note.strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise ValueError(f"the note is longer than {NOTE_MAX} characters.")
    return LogRecord(habit, day, minutes, note, where)


def _check_minutes(minutes: int) -> None:
    if not 1 <= minutes <= MAX_DAY_MINUTES:
        raise ValueError(f"minutes must be between 1 and {MAX_DAY_MINUTES} (24h), not {minutes}.")


def _minutes(text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError(f"minutes must be a whole number, not {text!r}.")
    _check_minutes(int(text))
    return int(text)


def _optional_int(text: str, name: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{name} must be a whole number or empty, not {text!r}.")
    return int(text)


def _boolean(text: str) -> bool:
    try:
        return BOOLEANS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"archived must be true or false, not {text!r}.") from None


def _json_text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {value!r}.")
    return value


def _json_int(value, name: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{name} must be a whole number or null, not {value!r}.")
    return value


def _json_bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"archived must be true or false, not {value!r}.")
    return value
