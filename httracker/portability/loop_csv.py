"""Reading Loop Habit Tracker's CSV export: a zip with `Habits.csv` (one row per habit) and,
per habit, a folder `NNN Name/` whose `Checkmarks.csv` lists its days (`Date,Value,Notes`).

The archive is read in memory, member by member, with caps on their number and unpacked
size; nothing is written to disk. The per-habit folders are matched to `Habits.csv` by the
position their name starts with."""

import csv
import io
import re
import zipfile
from datetime import date

from .loop import NO, SKIP, UNKNOWN, YES_AUTO, YES_MANUAL, LoopHabit, convert_loop
from .records import DATE_PATTERN, Conversion, ImportRejected, too_many_entries
from .timesheets import formula_problem

NOT_ZIP = "The file is not a readable zip archive."
NOT_LOOP = (
    "The zip is not a Loop Habit Tracker CSV export: it has no Habits.csv with Position and "
    "Name columns."
)
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
HABIT_FOLDER = re.compile(r"(\d{1,6}) [^/]*/Checkmarks\.csv")
VALUE_NAMES = {
    "YES_MANUAL": YES_MANUAL, "YES_AUTO": YES_AUTO, "NO": NO, "SKIP": SKIP, "UNKNOWN": UNKNOWN,
}  # fmt: skip


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def read_loop_csv(data: bytes, max_entries: int) -> Conversion:
    """The habits and entries of a Loop CSV export, or ImportRejected saying why not."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportRejected([NOT_ZIP]) from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
        raise ImportRejected(["The zip unpacks to more than an export of Loop ever holds."])
    with archive:
        names = {member.filename.lstrip("/"): member for member in members}
        if "Habits.csv" not in names:
            raise ImportRejected([NOT_LOOP])
        habits = _habits(_rows(archive, names["Habits.csv"]))
        entries, problems = 0, []
        for name, member in names.items():
            match = HABIT_FOLDER.fullmatch(name)
            habit = habits.get(int(match.group(1))) if match else None
            if habit is None:
                continue  # Scores.csv, the all-habits tables, anything else
            for line, row in enumerate(_rows(archive, member), 1):
                entries += 1
                if entries > max_entries:
                    raise too_many_entries(max_entries)
                entry = _entry(habit, row, f"{name}, line {line}", problems)
                if entry is not None:
                    habit.entries.append(entry)
    if problems:
        raise ImportRejected(problems)
    return convert_loop("loop-csv", list(habits.values()))


def _rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> list[list[str]]:
    if member.file_size > MAX_MEMBER_BYTES:
        raise ImportRejected([f"{member.filename} is larger than a Loop export writes."])
    try:
        with archive.open(member) as file:
            raw = file.read(MAX_MEMBER_BYTES + 1)
        text = raw.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline="")))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise ImportRejected([NOT_ZIP]) from None
    except (UnicodeDecodeError, csv.Error):
        raise ImportRejected([f"{member.filename} is not UTF-8 CSV text."]) from None


def _habits(rows: list[list[str]]) -> dict[int, LoopHabit]:
    """Loop's habits by position, from Habits.csv (2.x columns; 1.x files have fewer)."""
    if not rows:
        raise ImportRejected([NOT_LOOP])
    header = [cell.strip().lower() for cell in rows[0]]
    if "position" not in header or "name" not in header:
        raise ImportRejected([NOT_LOOP])
    habits, problems = {}, []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, row, strict=False))
        where = f"Habits.csv, line {line}"
        for column in ("name", "unit"):
            problem = formula_problem(cells.get(column, ""), f"{where}, {column}")
            if problem:
                problems.append(problem)
        try:
            position = int(cells["position"])
        except (KeyError, ValueError):
            problems.append(f"{where}, position: {cells.get('position', '')!r} is not a number.")
            continue
        habits[position] = LoopHabit(
            name=cells.get("name", ""),
            numerical=cells.get("type", "").strip().upper() == "NUMERICAL",
            freq_num=_number(cells.get("frequencynumerator"), 1),
            freq_den=_number(cells.get("frequencydenominator"), 1),
            target_type=1 if cells.get("target type", "").strip().upper() == "AT_MOST" else 0,
            target_value=_decimal(cells.get("target value")) or 0.0,
            unit=cells.get("unit", ""),
            colour=cells.get("color") or None,
            position=position - 1,
            archived=cells.get("archived?", "").strip().lower() == "true",
        )
    if problems:
        raise ImportRejected(problems)
    return habits


def _entry(habit: LoopHabit, row: list[str], where: str, problems: list[str]):
    """(day, value as Loop stores it, note) of one Checkmarks.csv row; None for its header."""
    if not row or (row[0].strip().lower() == "date"):
        return None
    text = row[0].strip()
    value = row[1].strip() if len(row) > 1 else ""
    note = row[2] if len(row) > 2 and row[2].strip() else None
    if not DATE_PATTERN.fullmatch(text):
        problems.append(f"{where}: {text!r} is not a date; Loop writes YYYY-MM-DD.")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(f"{where}: {text!r} is not a date on the calendar.")
        return None
    if value.upper() in VALUE_NAMES:
        return day, VALUE_NAMES[value.upper()], note
    number = _decimal(value)
    if number is None:
        problems.append(f"{where}: {value!r} is not a value Loop writes.")
        return None
    return day, round(number), note


def _number(text: str | None, default: int) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _decimal(text: str | None) -> float | None:
    try:
        number = float((text or "").strip())
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e9 else None
