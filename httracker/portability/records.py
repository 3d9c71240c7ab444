"""The shapes shared by exports and imports: formats, records, results and rejections."""

import re
from dataclasses import dataclass, field
from datetime import date

from ..models import fold

FORMATS = ("csv", "json")
JSON_FORMAT_NAME, JSON_VERSION = "httracker-export", 1
# The contract's columns first; the habit columns after them keep targets and archived flags.
CSV_LOG_COLUMNS = ("date", "habit", "category", "minutes", "note")
CSV_HABIT_COLUMNS = ("target_minutes", "target_period", "archived")
CSV_COLUMNS = CSV_LOG_COLUMNS + CSV_HABIT_COLUMNS
CSV_REQUIRED = ("date", "habit", "minutes")
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


@dataclass
class HabitRecord:
    name: str
    category: str = ""
    target_minutes: int | None = None
    target_period: str = "day"
    archived: bool = False
    where: str = ""


@dataclass
class LogRecord:
    habit: str
    date: date
    minutes: int
    note: str | None
    where: str


@dataclass
class ImportData:
    """What a file holds: habits by folded name (first mention wins) and logs in file order."""

    habits: dict[str, HabitRecord] = field(default_factory=dict)
    logs: list[LogRecord] = field(default_factory=list)

    def add_habit(self, record: HabitRecord) -> None:
        self.habits.setdefault(fold(record.name), record)


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
