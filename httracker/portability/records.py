"""The shapes shared by exports and imports: formats, records, results and rejections."""

import re
from dataclasses import dataclass, field
from datetime import date

from ..changes import RuleBroken
from ..habits.targets import Target
from ..models import fold

FORMATS = ("csv", "json")
# Version 2 added kinds, directions, times, checks, skipped days and breaks; 1 still imports.
JSON_FORMAT_NAME, JSON_VERSION = "httracker-export", 2
JSON_VERSIONS = (1, 2)
# The contract's columns first; the habit columns after them keep targets and archived flags.
CSV_LOG_COLUMNS = ("date", "habit", "category", "minutes", "note")
CSV_HABIT_COLUMNS = ("target_minutes", "target_period", "archived")
# Version 2: the rest of a habit's target, what the row is (ENTRIES), and a break's last day and
# its label (the rows of a break for chosen habits share it, one row per habit).
CSV_KIND_COLUMNS = ("kind", "target_direction", "target_times")
CSV_ENTRY_COLUMNS = ("entry", "end", "break")
CSV_COLUMNS = CSV_LOG_COLUMNS + CSV_HABIT_COLUMNS + CSV_KIND_COLUMNS + CSV_ENTRY_COLUMNS
CSV_REQUIRED = ("date", "habit", "minutes")
# What a CSV row holds. An empty `entry` (every version-1 file) is a log, or a row that only
# describes its habit when date, minutes and note are empty.
ENTRIES = ("habit", "log", "check", "skip", "break")
# The CSV column of a field where its name differs from the field's (and the JSON key's).
CSV_COLUMN_OF = {"name": "habit", "start": "date", "habits": "habit"}
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


def too_many_entries(limit: int) -> ImportRejected:
    """The rejection of a file with more than `limit` entries (CSV rows; JSON logs, checks,
    skipped days and breaks)."""
    return ImportRejected(
        [f"The file has more than {limit:,} entries; split it into parts of at most {limit:,}."]
    )


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
    # The habit's colour (a key of habits/colours.py; None: the next unused one) and, from
    # Loop Habit Tracker, its place in Loop's list (records come in that order).
    colour: str | None = None
    position: int | None = None

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


@dataclass(slots=True)
class DayRecord:
    """A check or a skipped day of one habit."""

    habit: str
    date: date
    note: str | None
    where: str


@dataclass
class BreakRecord:
    """A break; `habits` is None for every habit, else each chosen name with its place."""

    start: date
    end: date
    note: str | None
    where: str
    habits: list[tuple[str, str]] | None = None


@dataclass
class ImportData:
    """What a file holds: habits by folded name (first mention wins), then logs, checks, skipped
    days and breaks in file order. Each record's `where` is its line (CSV) or its JSON path."""

    fmt: str = "json"
    habits: dict[str, HabitRecord] = field(default_factory=dict)
    logs: list[LogRecord] = field(default_factory=list)
    checks: list[DayRecord] = field(default_factory=list)
    skips: list[DayRecord] = field(default_factory=list)
    breaks: list[BreakRecord] = field(default_factory=list)

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
class Conversion:
    """A file of any source as our records: what it holds (`data`), what could not come across
    or came across changed (`notes`), and the habit mappings a preview offers."""

    source: str
    data: ImportData
    notes: list[str] = field(default_factory=list)
    mappings: tuple[tuple[str, str], ...] = ()
    mapping: str = ""


@dataclass(frozen=True)
class ImportResult:
    """What an import added, and how many of the file's entries were there already."""

    habits_added: int
    logs_added: int
    already_there: int
    checks_added: int = 0
    skips_added: int = 0
    breaks_added: int = 0

    def summary(self) -> str:
        """'Imported 1 habit, 12 logs and 2 checks (3 already there).' Checks, skipped days and
        breaks are named when some were added."""
        parts = [_count(self.habits_added, "habit"), _count(self.logs_added, "log")]
        extra = (
            (self.checks_added, "check"),
            (self.skips_added, "skipped day"),
            (self.breaks_added, "break"),
        )
        parts += [_count(number, noun) for number, noun in extra if number]
        text = f"Imported {', '.join(parts[:-1])} and {parts[-1]}"
        return text + (f" ({self.already_there} already there)." if self.already_there else ".")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def neutralise(text: str) -> str:
    """A CSV text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise`: drop one leading quote."""
    return text[1:] if text.startswith("'") else text
