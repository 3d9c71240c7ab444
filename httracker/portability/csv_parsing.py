"""Reading a CSV export (any subset of the columns, in any order) into records, every problem
named by its line. Rows of version-1 files (no `entry` column) are logs or habits."""

import csv
import io

from .records import (
    CSV_COLUMNS,
    CSV_HABIT_COLUMNS,
    CSV_KIND_COLUMNS,
    CSV_LOG_COLUMNS,
    CSV_REQUIRED,
    ENTRIES,
    BadValue,
    BreakRecord,
    DayRecord,
    HabitRecord,
    ImportData,
    ImportRejected,
    LogRecord,
    too_many_entries,
    unneutralise,
)
from .values import csv_boolean, csv_number, date_value, text_value

# The cells of a habit's description, which a break row (naming habits, not describing them)
# leaves empty.
DESCRIPTION_COLUMNS = ("category", *CSV_HABIT_COLUMNS, *CSV_KIND_COLUMNS)


def parse_csv(text: str, max_entries: int | None = None) -> ImportData:
    """Records from CSV text; every bad row is reported with its line number. More than
    `max_entries` rows after the header are refused as soon as the next one is read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[str] = []
    parsed = ImportData(fmt="csv")
    try:
        header = _header([cell.strip().lower() for cell in next(reader)])
        breaks: dict[str, BreakRecord] = {}
        line = reader.line_num + 1
        for count, row in enumerate(reader, 1):
            if max_entries is not None and count > max_entries:
                raise too_many_entries(max_entries)
            if row:
                try:
                    _parse_row(parsed, header, row, f"Line {line}", breaks)
                except BadValue as error:
                    errors.append(parsed.problem(f"Line {line}", error))
            line = reader.line_num + 1
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if errors:
        raise ImportRejected(errors)
    return parsed


def _header(header: list[str]) -> list[str]:
    """The header row, if it names known columns, each once, and the required ones."""
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
        raise ImportRejected([f"Line 1: the header has no {name!r} column." for name in missing])
    if len(set(header)) != len(header):
        raise ImportRejected(["Line 1: a column appears twice in the header."])
    return header


def _parse_row(
    parsed: ImportData, header: list[str], row: list[str], where: str, breaks: dict
) -> None:
    """Add the row's entry, and the habit it describes (first mention wins)."""
    if len(row) != len(header):
        raise BadValue(None, f"expected {len(header)} cells, found {len(row)}.")
    cells = dict.fromkeys(CSV_COLUMNS, "") | dict(zip(header, row, strict=True))
    entry = cells["entry"].strip().lower()
    if entry not in ("", *ENTRIES):
        choices = ", ".join(ENTRIES[:-1]) + f" or {ENTRIES[-1]}"
        raise BadValue("entry", f"must be {choices} (or empty for a log), not {entry!r}.")
    if entry == "break":
        _break_row(parsed, cells, where, breaks)
        return
    _empty(cells, ("end", "break"), "only a break row has it; leave it empty.")
    habit = _habit(cells, where)
    parsed.add_habit(habit)
    note = _text("note", cells["note"]) or None
    if entry == "habit" or not (entry or cells["date"].strip() or cells["minutes"].strip() or note):
        _empty(cells, ("date", "minutes", "note"), "a row that describes a habit leaves it empty.")
        return
    day = date_value(cells["date"])
    if entry in ("check", "skip"):
        _empty(cells, ("minutes",), f"a {entry} has no minutes; leave it empty.")
        records = parsed.checks if entry == "check" else parsed.skips
        records.append(DayRecord(habit.name, day, note, where))
        return
    minutes = csv_number("minutes", cells["minutes"])
    parsed.logs.append(LogRecord(habit.name, day, minutes, note, where))


def _habit(cells: dict[str, str], where: str) -> HabitRecord:
    """The habit a row describes; empty target cells are the defaults."""
    return HabitRecord(
        name=_text("name", cells["habit"]),
        category=_text("category", cells["category"]),
        target_minutes=csv_number("target_minutes", cells["target_minutes"], True),
        target_period=cells["target_period"].strip().lower() or "day",
        archived=csv_boolean("archived", cells["archived"]),
        where=where,
        kind=cells["kind"].strip().lower() or "time",
        target_direction=cells["target_direction"].strip().lower() or "at_least",
        target_times=csv_number("target_times", cells["target_times"], True),
    )


def _break_row(parsed: ImportData, cells: dict[str, str], where: str, breaks: dict) -> None:
    """A break for every habit (the habit cell empty), or for the habit it names: the rows of
    one break share its `break` label, dates and note. A row without a label is a break alone."""
    _empty(cells, ("minutes", *DESCRIPTION_COLUMNS), "a break row leaves it empty.")
    start, end = date_value(cells["date"]), date_value(cells["end"], "end")
    name = _text("name", cells["habit"]) or None
    note = _text("note", cells["note"]) or None
    label = cells["break"].strip()
    record = breaks.get(label) if label else None
    if record is None:
        record = BreakRecord(start, end, note, where, None if name is None else [])
        parsed.breaks.append(record)
        if label:
            breaks[label] = record
    elif (start, end, note) != (record.start, record.end, record.note):
        message = f"break {label!r} has other dates or another note on {record.where}."
        raise BadValue("break", message)
    elif record.habits is None or name is None:
        message = (
            f"break {label!r} is also on {record.where}; a break for every habit is one row "
            "with the habit left empty."
        )
        raise BadValue("break", message)
    if name is not None:
        record.habits.append((name, parsed.place(where, "name")))


def _text(name: str, cell: str) -> str:
    """A text cell, its formula guard removed, stripped."""
    return text_value(name, unneutralise(cell)).strip()


def _empty(cells: dict[str, str], names: tuple[str, ...], message: str) -> None:
    """A cell this kind of row does not use must be empty."""
    for name in names:
        if cells[name].strip():
            raise BadValue(name, message)
