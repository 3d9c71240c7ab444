"""Reading a JSON export (version 1 or 2) into records, every problem named by its JSON path
(`habits[3].logs[17].minutes`, counted from 0)."""

import json

from ..models import fold
from .records import (
    JSON_FORMAT_NAME,
    JSON_VERSIONS,
    BadValue,
    BreakRecord,
    DayRecord,
    HabitRecord,
    ImportData,
    ImportRejected,
    LogRecord,
    too_many_entries,
)
from .values import json_boolean, json_date, json_number, json_text, text_value

# The lists of day entries a habit holds in version 2, and where they go.
DAY_LISTS = ("checks", "skips")
ENTRY_LISTS = ("logs", *DAY_LISTS)


def parse_json(text: str, max_entries: int | None = None) -> ImportData:
    """Records from a JSON export; every bad habit, entry or break is reported by its path.
    More than `max_entries` logs, checks, skipped days and breaks are refused unread."""
    document = _load(text)
    version = document.get("version")
    if isinstance(version, bool) or version not in JSON_VERSIONS:
        supported = " or ".join(str(number) for number in JSON_VERSIONS)
        raise ImportRejected([f"Unsupported export version {version!r}; use {supported}."])
    habits = document.get("habits")
    if not isinstance(habits, list):
        raise ImportRejected(["habits: must be a list."])
    breaks = document.get("breaks", []) if version >= 2 else []
    if not isinstance(breaks, list):
        raise ImportRejected(["breaks: must be a list."])
    if max_entries is not None and _entry_count(habits, breaks) > max_entries:
        raise too_many_entries(max_entries)
    errors: list[str] = []
    parsed = ImportData(fmt="json")
    for number, item in enumerate(habits):
        where = f"habits[{number}]"
        try:
            habit, entries = _json_habit(parsed, item, where, version)
        except BadValue as error:
            errors.append(parsed.problem(where, error))
            continue
        for key, items in entries.items():
            for index, entry in enumerate(items):
                entry_where = f"{where}.{key}[{index}]"
                try:
                    _add_entry(parsed, key, habit.name, entry, entry_where)
                except BadValue as error:
                    errors.append(parsed.problem(entry_where, error))
    for number, item in enumerate(breaks):
        where = f"breaks[{number}]"
        try:
            parsed.breaks.append(_json_break(item, where))
        except BadValue as error:
            errors.append(parsed.problem(where, error))
    if errors:
        raise ImportRejected(errors)
    return parsed


def _entry_count(habits: list, breaks: list) -> int:
    """The logs, checks, skipped days and breaks of a document (lists of any version)."""
    lists = (habit.get(key) for habit in habits if isinstance(habit, dict) for key in ENTRY_LISTS)
    return len(breaks) + sum(len(entries) for entries in lists if isinstance(entries, list))


def _load(text: str) -> dict:
    """The document, if it is an HT-Tracker export."""
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
    return document


def _json_habit(
    parsed: ImportData, item, where: str, version: int
) -> tuple[HabitRecord, dict[str, list]]:
    """The habit at `where` (added to `parsed`) and its lists of entries, still to be read."""
    if not isinstance(item, dict):
        raise BadValue(None, "each habit must be an object with a name and its logs.")
    if not isinstance(item.get("name"), str):
        raise BadValue("name", f"each habit needs a text name, not {item.get('name')!r}.")
    habit = HabitRecord(
        name=text_value("name", item["name"]).strip(),
        category=json_text("category", item.get("category")).strip(),
        target_minutes=json_number("target_minutes", item.get("target_minutes")),
        target_period=json_text("target_period", item.get("target_period")) or "day",
        archived=json_boolean("archived", item.get("archived", False)),
        where=where,
    )
    if version >= 2:
        habit.kind = json_text("kind", item.get("kind")) or "time"
        habit.target_direction = (
            json_text("target_direction", item.get("target_direction")) or "at_least"
        )
        habit.target_times = json_number("target_times", item.get("target_times"))
    first = parsed.habits.get(fold(habit.name))
    if first is not None:
        raise BadValue("name", f"{habit.name!r} is the name of {first.where} already.")
    parsed.add_habit(habit)
    entries = {}
    for key in ("logs", *(DAY_LISTS if version >= 2 else ())):
        entries[key] = item.get(key, [])
        if not isinstance(entries[key], list):
            raise BadValue(key, "must be a list.")
    return habit, entries


def _add_entry(parsed: ImportData, key: str, habit: str, entry, where: str) -> None:
    """Add one log, check or skipped day of `habit`."""
    if key == "logs":
        parsed.logs.append(_json_log(habit, entry, where))
        return
    if not isinstance(entry, dict):
        raise BadValue(None, f"each of {key} must be an object with a date and a note.")
    day = json_date("date", entry.get("date"))
    note = json_text("note", entry.get("note")).strip()
    records = parsed.checks if key == "checks" else parsed.skips
    records.append(DayRecord(habit, day, note or None, where))


def _json_log(habit: str, log, where: str) -> LogRecord:
    if not isinstance(log, dict):
        raise BadValue(None, "each log must be an object with date, minutes and note.")
    minutes = log.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise BadValue("minutes", f"must be a whole number, not {minutes!r}.")
    day = json_date("date", log.get("date"))
    note = json_text("note", log.get("note")).strip()
    return LogRecord(habit, day, minutes, note or None, where)


def _json_break(item, where: str) -> BreakRecord:
    if not isinstance(item, dict):
        raise BadValue(None, "each break must be an object with start, end, habits and note.")
    start = json_date("start", item.get("start"))
    end = json_date("end", item.get("end"))
    names = item.get("habits", False)
    if names is not None and not isinstance(names, list):
        raise BadValue("habits", "must be a list of habit names, or null for every habit.")
    habits = None
    if names is not None:
        habits = []
        for index, name in enumerate(names):
            field = f"habits[{index}]"
            if not isinstance(name, str):
                raise BadValue(field, f"must be the name of a habit, not {name!r}.")
            habits.append((text_value(field, name).strip(), f"{where}.{field}"))
    note = json_text("note", item.get("note")).strip()
    return BreakRecord(start, end, note or None, where, habits)
