"""Files of other apps, written from their documented structure: Loop Habit Tracker's backup
(the `Habits` and `Repetitions` tables of its SQLite schema, as of its migration 26) and CSV
export (`Habits.csv` and `NNN Name/Checkmarks.csv` in a zip), and Toggl Track's and Clockify's
detailed CSV exports."""

import csv
import io
import random
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Loop's schema after its migration 26 (the columns we read, and the ones around them).
LOOP_SCHEMA = """
create table Habits (
    id integer primary key, archived integer, color integer, description text,
    freq_den integer, freq_num integer, highlight integer, name text, position integer,
    reminder_hour integer, reminder_min integer, reminder_days integer not null default 127,
    type integer not null default 0, target_type integer not null default 0,
    target_value real not null default 0, unit text not null default "", question text,
    uuid text
);
create table Repetitions (
    id integer primary key autoincrement, habit integer not null references habits(id),
    timestamp integer not null, value integer not null, notes text
);
create index idx_repetitions_habit_timestamp on Repetitions (habit, timestamp);
create table android_metadata (locale text);
"""
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
VALUE_NAMES = {YES_MANUAL: "YES_MANUAL", YES_AUTO: "YES_AUTO", NO: "NO", SKIP: "SKIP",
               UNKNOWN: "UNKNOWN"}  # fmt: skip
# Loop 2.x's palette as Habits.csv writes it (`PaletteColor.toCsvColor`), by index.
LOOP_HEX = (
    "#D32F2F", "#E64A19", "#F57C00", "#FF8F00", "#F9A825", "#AFB42B", "#7CB342", "#388E3C",
    "#00897B", "#00ACC1", "#039BE5", "#1976D2", "#303F9F", "#5E35B1", "#8E24AA", "#D81B60",
    "#5D4037", "#303030", "#757575", "#aaaaaa",
)  # fmt: skip
TOGGL_HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount ()"
)
CLOCKIFY_HEADER = (
    "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
    "End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)"
)


@dataclass
class LoopHabit:
    name: str
    numerical: bool = False
    freq_num: int = 1
    freq_den: int = 1
    target_type: int = 0
    target_value: float = 0.0
    unit: str = ""
    color: int = 8
    position: int = 0
    archived: bool = False
    question: str = ""
    # (day, value as Loop stores it: ×1000 for numerical habits, note)
    entries: list[tuple[date, int, str | None]] = field(default_factory=list)


def stamp(day: date) -> int:
    """Loop's timestamp of a day: the milliseconds of its midnight in UTC."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def loop_db(path: Path, habits: list[LoopHabit], extra_sql: str = "") -> bytes:
    """A Loop backup holding `habits`; `extra_sql` runs after the schema (hostile files)."""
    connection = sqlite3.connect(path)
    connection.executescript(LOOP_SCHEMA + extra_sql)
    for number, habit in enumerate(habits, 1):
        connection.execute(
            "insert into Habits (id, archived, color, description, freq_den, freq_num, "
            "highlight, name, position, type, target_type, target_value, unit, question, uuid) "
            "values (?, ?, ?, '', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number, int(habit.archived), habit.color, habit.freq_den, habit.freq_num,
                habit.name, habit.position, int(habit.numerical), habit.target_type,
                habit.target_value, habit.unit, habit.question, f"uuid-{number}",
            ),
        )  # fmt: skip
        connection.executemany(
            "insert into Repetitions (habit, timestamp, value, notes) values (?, ?, ?, ?)",
            [(number, stamp(day), value, note) for day, value, note in habit.entries],
        )
    connection.commit()
    connection.close()
    return path.read_bytes()


def loop_value(value: int, names: bool = True) -> str:
    """An entry's value as Loop's CSV export writes it: since 2.1 `Entry.formattedValue` (the
    name of a special value, any other number as stored, so ×1000 for amounts), before that
    the stored number."""
    if names and value in VALUE_NAMES:
        return VALUE_NAMES[value]
    return str(value)


def loop_zip(habits: list[LoopHabit], formula_name: str | None = None, names: bool = True) -> bytes:
    """Loop's CSV export of `habits`, as HabitsCSVExporter writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = [[
            "Position", "Name", "Type", "Question", "Description", "FrequencyNumerator",
            "FrequencyDenominator", "Color", "Unit", "Target Type", "Target Value", "Archived?",
        ]]  # fmt: skip
        for index, habit in enumerate(habits):
            rows.append([
                f"{index + 1:03d}", formula_name or habit.name,
                "NUMERICAL" if habit.numerical else "YES_NO", habit.question, "",
                str(habit.freq_num), str(habit.freq_den), LOOP_HEX[habit.color],
                habit.unit if habit.numerical else "",
                ("AT_MOST" if habit.target_type else "AT_LEAST") if habit.numerical else "",
                str(habit.target_value) if habit.numerical else "", str(habit.archived).lower(),
            ])  # fmt: skip
        archive.writestr("Habits.csv", _csv(rows))
        for index, habit in enumerate(habits):
            entries = [["Date", "Value", "Notes"]]
            for day, value, note in sorted(habit.entries, reverse=True):
                entries.append([day.isoformat(), loop_value(value, names), note or ""])
            archive.writestr(f"{index + 1:03d} {habit.name}/Checkmarks.csv", _csv(entries))
            archive.writestr(f"{index + 1:03d} {habit.name}/Scores.csv", "Date,Score\n")
        archive.writestr("Checkmarks.csv", "Date,\n")
        archive.writestr("Scores.csv", "Date,\n")
    return buffer.getvalue()


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def toggl_csv(entries) -> bytes:
    """Toggl Track's detailed export; entries are (project, description, start, end, client)."""
    rows = [TOGGL_HEADER.split(",")]
    for project, description, start, end, client in entries:
        duration = end - start
        hours, rest = divmod(int(duration.total_seconds()), 3600)
        rows.append([
            "Alice", "alice@example.com", client, project, "", description, "No",
            start.date().isoformat(), start.strftime("%H:%M:%S"), end.date().isoformat(),
            end.strftime("%H:%M:%S"), f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}", "", "",
        ])  # fmt: skip
    return _csv(rows).encode()


def clockify_csv(entries, day_first: bool = False) -> bytes:
    """Clockify's detailed export (US dates and 12-hour times, or day-first dates)."""
    rows = [CLOCKIFY_HEADER.split(",")]
    pattern = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    for project, description, start, end, client in entries:
        hours = (end - start).total_seconds() / 3600
        rows.append([
            project, client, description, "", "Alice", "", "alice@example.com", "", "No",
            start.strftime(pattern), start.strftime("%I:%M:%S %p"), end.strftime(pattern),
            end.strftime("%I:%M:%S %p"), f"{int(hours):02d}:00:00", f"{hours:.2f}", "0.00",
            "0.00",
        ])  # fmt: skip
    return _csv(rows).encode()


def big_loop_habits(years: int = 10, count: int = 20, seed: int = 7) -> list[LoopHabit]:
    """`count` habits over `years` years to today: yes/no habits checked most days, with skips
    and a weekly one, and habits counting minutes."""
    rng = random.Random(seed)
    today = date.today()
    first = today - timedelta(days=365 * years)
    habits = []
    for number in range(count):
        numerical = number % 4 == 3
        habit = LoopHabit(
            name=f"Habit {number:02d}",
            numerical=numerical,
            freq_num=3 if number % 5 == 1 else 1,
            freq_den=7 if number % 5 == 1 else 1,
            unit="minutes" if numerical else "",
            target_value=20.0 if numerical else 0.0,
            position=number,
            color=number % 20,
        )
        day = first
        while day < today:
            roll = rng.random()
            if numerical and roll < 0.7:
                habit.entries.append((day, rng.randint(5, 90) * 1000, None))
            elif not numerical and roll < 0.75:
                habit.entries.append((day, YES_MANUAL, None))
            elif roll < 0.8:
                habit.entries.append((day, SKIP, None))
            elif roll < 0.9:
                habit.entries.append((day, NO, None))
            day += timedelta(days=1)
        habits.append(habit)
    return habits
