"""The shapes shared by exports and imports: formats, records, results and rejections."""

import re
from dataclasses import dataclass, field
from datetime import date

from ..changes import RuleBroken
from ..habits.targets import Target
from ..models import fold

FORMATS = ("csv", "json")
JSON_FORMAT_NAME, JSON_VERSION = "httracker-export", 1
# The contract's columns first; the habit columns after them keep targets and archived flags.
CSV_LOG_COLUMNS = ("date", "habit", "category", "minutes", "note")
CSV_HABIT_COLUMNS = ("target_minutes", "target_period", "archived")
CSV_COLUMNS = CSV_LOG_COLUMNS + CSV_HABIT_COLUMNS
CSV_REQUIRED = ("date", "habit", "minutes")
# The CSV column of a habit field where its name differs from the field's (and the JSON key's).
CSV_COLUMN_OF = {"name": "habit"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 50
# Spreadsheets run cells starting with these as formulas; a leading quote makes them text.
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
BOOLEANS = {
    "": False,
    "false": False,
    "no": False,
    "0": False,
    "true": True,
    "yes": True,
    "1": True,
}


class ImportRejected(Exception):
    """The file was refused; `errors` lists every problem, each naming where it is."""

    def __init__(self, errors: list[str]):
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > MAX_REPORTED_ERRORS:
            shown.append(f"… and {len(errors) - MAX_REPORTED_ERRORS} more problems.")
        super().__init__(shown[0])
        self.errors = shown


class BadValue(ValueError):
    """A value that is not what its place in the file holds (text, a whole number, a date).
    Like a broken rule, it names its field (None: the whole record) and carries a message."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class HabitRecord:
    name: str
    category: str = ""
    target_minutes: int | None = None
    target_period: str = "day"
    archived: bool = False
    where: str = ""
    kind: str = "time"
    target_direction: str = "at_least"
    target_times: int | None = None

    @property
    def target(self) -> Target:
        """The habit's target as the services take it."""
        return Target(
            self.target_minutes,
            self.target_period,
            self.kind,
            self.target_direction,
            self.target_times,
        )


@dataclass(slots=True)
class LogRecord:
    habit: str
    date: date
    minutes: int
    note: str | None
    where: str


@dataclass
class ImportData:
    """What a file holds: habits by folded name (first mention wins) and logs in file order.
    Each record's `where` is its line (CSV) or its JSON path."""

    fmt: str = "json"
    habits: dict[str, HabitRecord] = field(default_factory=dict)
    logs: list[LogRecord] = field(default_factory=list)

    def add_habit(self, record: HabitRecord) -> None:
        self.habits.setdefault(fold(record.name), record)

    def place(self, where: str, name: str | None) -> str:
        """A field of the record at `where`: 'habits[3].logs[17].minutes' or 'Line 5, minutes'."""
        if name is None:
            return where
        if self.fmt == "csv":
            return f"{where}, {CSV_COLUMN_OF.get(name, name)}"
        return f"{where}.{name}"

    def problem(self, where: str, error: BadValue | RuleBroken) -> str:
        """One line of a rejection: the field's place, then what is wrong with it; for a broken
        rule, the very message the web form shows."""
        return f"{self.place(where, error.field)}: {error.message}"


@dataclass
class ImportResult:
    habits_added: int
    logs_added: int
    logs_skipped: int

    def summary(self) -> str:
        """'Imported 1 habit and 12 logs (3 already there).'"""
        text = f"Imported {_count(self.habits_added, 'habit')} and {_count(self.logs_added, 'log')}"
        return text + (f" ({self.logs_skipped} already there)." if self.logs_skipped else ".")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def neutralise(text: str) -> str:
    """A CSV text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise`: drop one leading quote."""
    return text[1:] if text.startswith("'") else text
