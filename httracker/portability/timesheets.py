"""Reading Toggl Track's and Clockify's detailed CSV exports: each time entry's project (or
project and description, chosen in the preview) becomes a time habit, and its minutes are
summed per habit per day, an entry that crosses midnight split at it.

Checked against Toggl Track's detailed report CSV (`User, Email, Client, Project, Task,
Description, Billable, Start date, Start time, End date, End time, Duration, Tags, Amount`) and
Clockify's (`Project, Client, Description, Task, User, Group, Email, Tags, Billable, Start Date,
Start Time, End Date, End Time, Duration (h), Duration (decimal), …`). Times are local, as both
export them in the account's time zone."""

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from ..models import CATEGORY_MAX, NAME_MAX
from .records import (
    Conversion,
    HabitRecord,
    ImportData,
    ImportRejected,
    LogRecord,
    too_many_entries,
)

MAPPINGS = (
    ("project", "One habit per project"),
    ("project-description", "One habit per project and description"),
)
NO_PROJECT = "No project"
REQUIRED = ("project", "description", "start date", "start time", "end date", "end time")
FORMULA = re.compile(r"[=+@\t\r]|-[^\s\d]")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
MAX_ENTRY = timedelta(days=31)
APP_NAMES = {"toggl": "Toggl Track", "clockify": "Clockify"}
SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def timesheet_source(header: list[str]) -> str | None:
    """'toggl' or 'clockify' when a CSV header is one of their detailed exports."""
    names = {cell.strip().lower() for cell in header}
    if not set(REQUIRED) <= names:
        return None
    if "duration (h)" in names or "duration (decimal)" in names:
        return "clockify"
    return "toggl" if "duration" in names else None


def formula_problem(text: str, where: str) -> str | None:
    """A cell that a spreadsheet would run as a formula; an export never writes one."""
    if text and FORMULA.match(text):
        return f"{where}: {text[:40]!r} is a spreadsheet formula; remove it and try again."
    return None


def read_timesheet(text: str, source: str, mapping: str, max_entries: int) -> Conversion:
    """Minutes per habit per day from a Toggl Track or Clockify detailed export."""
    mapping = mapping if mapping in dict(MAPPINGS) else MAPPINGS[0][0]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        rows = []
        for count, row in enumerate(reader, 1):
            if count > max_entries:
                raise too_many_entries(max_entries)
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, dict(zip(header, row, strict=False))))
    except csv.Error as error:
        raise ImportRejected([f"Line {reader.line_num}: {error}."]) from None
    day_first, order_note = _date_order(source, [cells for _, cells in rows])
    seconds: dict[tuple[str, date], int] = defaultdict(int)
    first_line: dict[tuple[str, date], int] = {}
    habits: dict[str, HabitRecord] = {}
    problems, notes = [], []
    running = 0
    for line, cells in rows:
        where = f"Line {line}"
        found = [
            formula_problem(cells.get(column, ""), f"{where}, {column}")
            for column in ("project", "description", "client", "task", "tags")
        ]
        if any(found):
            problems.extend(problem for problem in found if problem)
            continue
        if not cells.get("end time", "").strip():
            running += 1
            continue
        try:
            start = _moment(cells, "start", day_first)
            end = _moment(cells, "end", day_first)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if end < start:
            problems.append(f"{where}: the entry ends before it starts.")
            continue
        if end - start > MAX_ENTRY:
            problems.append(f"{where}: the entry lasts more than {MAX_ENTRY.days} days.")
            continue
        name = _habit_name(cells, mapping)
        habits.setdefault(name.casefold(), HabitRecord(
            name=name,
            category=cells.get("client", "").strip()[:CATEGORY_MAX],
            where=where,
        ))  # fmt: skip
        name = habits[name.casefold()].name
        for day, part in _split(start, end):
            seconds[(name, day)] += part
            first_line.setdefault((name, day), line)
    if problems:
        raise ImportRejected(problems)
    data = ImportData(fmt="csv", habits=dict(habits))
    short = 0
    for (name, day), total in sorted(seconds.items(), key=lambda item: (item[0][1], item[0][0])):
        minutes = round(total / 60)
        if minutes == 0:
            short += 1
            continue
        data.logs.append(LogRecord(name, day, minutes, None, f"Line {first_line[(name, day)]}"))
    if order_note:
        notes.append(order_note)
    if running:
        notes.append(f"{running} running entries without an end are not imported.")
    if short:
        notes.append(f"{short} days of a habit with less than half a minute are not imported.")
    notes.append("Tags, tasks, billable flags and amounts are not imported.")
    return Conversion(source, data, notes, MAPPINGS, mapping)


def _habit_name(cells: dict[str, str], mapping: str) -> str:
    project = " ".join(cells.get("project", "").split()) or NO_PROJECT
    description = " ".join(cells.get("description", "").split())
    name = f"{project} – {description}" if mapping != "project" and description else project
    return name[:NAME_MAX].rstrip()


def _date_order(source: str, rows: list[dict[str, str]]) -> tuple[bool, str | None]:
    """Whether slashed dates are day-first (some first number cannot be a month: 31/01/2024),
    and a note when no date tells: every one reads both ways, so month-first is assumed."""
    slashed = [
        match
        for cells in rows
        for column in ("start date", "end date")
        if (match := SLASHED.fullmatch(cells.get(column, "").strip()))
    ]
    if any(int(match.group(1)) > 12 for match in slashed):
        return True, None
    if not slashed or any(int(match.group(2)) > 12 for match in slashed):
        return False, None
    month, day, year = map(int, slashed[0].groups())
    try:
        example = date(year, month, day)
    except ValueError:
        return False, None  # the date itself is reported as broken
    return False, (
        "No date in the file has a day after the 12th, so each could be month/day or "
        f"day/month; they were read as month/day ({slashed[0].group(0)} is "
        f"{example.day} {example:%B %Y}). If that is wrong, set the date format in "
        f"{APP_NAMES[source]}'s settings to YYYY-MM-DD and export again."
    )


def _moment(cells: dict[str, str], end: str, day_first: bool) -> datetime:
    day_text = cells.get(f"{end} date", "").strip()
    time_text = cells.get(f"{end} time", "").strip().upper()
    match = SLASHED.fullmatch(day_text)
    try:
        if match:
            first, second, year = map(int, match.groups())
            day = date(year, second, first) if day_first else date(year, first, second)
        else:
            day = date.fromisoformat(day_text)
    except ValueError:
        raise ValueError(f"{end} date {day_text!r} is not a date.") from None
    for pattern in TIME_FORMATS:
        try:
            return datetime.combine(day, datetime.strptime(time_text, pattern).time())
        except ValueError:
            continue
    raise ValueError(f"{end} time {time_text!r} is not a time of day.")


def _split(start: datetime, end: datetime):
    """(day, seconds) of an entry, cut at each midnight it crosses."""
    while start.date() < end.date():
        midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time())
        yield start.date(), int((midnight - start).total_seconds())
        start = midnight
    yield start.date(), int((end - start).total_seconds())
