"""Loop Habit Tracker's habits and entries (from its `.db` backup or its CSV export) as our
records: yes/no habits become check habits, numerical habits counted in minutes or hours
become time habits, and everything that cannot come across is named in the notes.

Checked against Loop Habit Tracker 2.x (`uhabits-core`: the `Habits` and `Repetitions` tables
of migrations up to 26, `Entry`'s values, `HabitList.writeCSV` and `HabitsCSVExporter`)."""

import colorsys
from dataclasses import dataclass, field
from datetime import date

from ..models import MAX_TARGET_MINUTES, NAME_MAX, NOTE_MAX, fold
from .records import Conversion, DayRecord, HabitRecord, ImportData, LogRecord

# Entry values (`Entry.kt`); numerical habits store their amounts × 1000, and skip as SKIP too.
# The CSV export writes a value by its name when it is one of these, else as stored.
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
# Units a numerical habit may count time in, and the minutes each one is.
TIME_UNITS = {
    **dict.fromkeys(("minute", "minutes", "min", "mins", "min.", "m"), 1),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h", "hr."), 60),
}
LOOP_SOURCES = ("loop-db", "loop-csv")


@dataclass
class LoopHabit:
    """A habit as Loop keeps it; `entries` are (day, value, note), values as in `Repetitions`."""

    name: str
    numerical: bool = False
    freq_num: int = 1
    freq_den: int = 1
    target_type: int = 0
    target_value: float = 0.0
    unit: str = ""
    colour: int | str | None = None  # Loop's palette index (.db) or its hex code (CSV)
    position: int | None = None
    archived: bool = False
    entries: list[tuple[date, int, str | None]] = field(default_factory=list)


def convert_loop(source: str, habits: list[LoopHabit]) -> Conversion:
    """Our records for Loop's habits, in Loop's order."""
    conversion = Conversion(source, ImportData(fmt="csv"))
    names: set[str] = set()
    skipped_units: list[str] = []
    for habit in sorted(habits, key=lambda item: (item.position is None, item.position or 0)):
        name = _unique_name(habit.name, names, conversion.notes)
        if habit.numerical and fold(habit.unit.strip()) not in TIME_UNITS:
            unit = habit.unit.strip() or "no unit"
            skipped_units.append(
                f"{name!r} counts {unit!r}, not minutes or hours: not imported "
                f"({_count(len(habit.entries), 'entry', 'entries')})."
            )
            continue
        record = _habit_record(habit, name, conversion.notes)
        conversion.data.add_habit(record)
        _add_entries(conversion, habit, record)
    conversion.notes.extend(skipped_units)
    conversion.notes.append(
        "Questions, descriptions and reminders of Loop habits are not imported."
    )
    return conversion


def _unique_name(name: str, names: set[str], notes: list[str]) -> str:
    """The habit's name, shortened to our limit and told apart from an earlier one of the same
    name (Loop allows two habits with one name; we do not)."""
    original = name = " ".join(name.split()) or "Loop habit"
    if len(name) > NAME_MAX:
        name = name[:NAME_MAX].rstrip()
    number = 2
    while fold(name) in names:
        suffix = f" ({number})"
        name = original[: NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    names.add(fold(name))
    if name != original:
        notes.append(f"Loop habit {original!r} is imported as {name!r}.")
    return name


# Loop's 20-colour palette by index (red, deep orange, orange, amber, yellow, lime, light green,
# green, teal, cyan, light blue, blue, indigo, deep purple, purple, pink, brown, dark grey,
# grey, light grey) to the nearest of ours.
LOOP_COLOURS = (
    *("red", "orange", "orange", "orange", "orange", "green", "green", "green"),
    *("teal", "teal", "blue", "blue", "violet", "violet", "violet", "pink"),
    *("orange", "slate", "slate", "slate"),
)


# The hex codes Loop 2.x writes for those indices in Habits.csv (`PaletteColor.toCsvColor`).
LOOP_HEX = (
    *("#D32F2F", "#E64A19", "#F57C00", "#FF8F00", "#F9A825", "#AFB42B", "#7CB342", "#388E3C"),
    *("#00897B", "#00ACC1", "#039BE5", "#1976D2", "#303F9F", "#5E35B1", "#8E24AA", "#D81B60"),
    *("#5D4037", "#303030", "#757575", "#AAAAAA"),
)
# Hues (degrees) of our chromatic colours, for a hex code of another Loop palette.
HUES = {"red": 0, "orange": 28, "green": 135, "teal": 175, "blue": 220, "violet": 265, "pink": 330}


def loop_colour(colour: int | str | None) -> str | None:
    """Our colour for Loop's palette index or hex code; None (the next unused one) when there
    is nothing to go by."""
    if isinstance(colour, str):
        return _hex_colour(colour.strip().upper())
    if colour is None or not 0 <= colour < len(LOOP_COLOURS):
        return None
    return LOOP_COLOURS[colour]


def _hex_colour(code: str) -> str | None:
    """A 2.x hex code by its index; any other #RRGGBB by the nearest hue (greys to slate)."""
    if code in LOOP_HEX:
        return LOOP_COLOURS[LOOP_HEX.index(code)]
    if len(code) != 7 or not code.startswith("#"):
        return None
    try:
        red, green, blue = (int(code[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        return None
    hue, _, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.25:
        return "slate"
    degrees = hue * 360
    return min(HUES, key=lambda key: min(abs(degrees - HUES[key]), 360 - abs(degrees - HUES[key])))


def _habit_record(habit: LoopHabit, name: str, notes: list[str]) -> HabitRecord:
    """The habit's kind and target: a yes/no habit's frequency as check-offs a day or a week, a
    numerical habit's target as minutes a day or a week."""
    record = HabitRecord(
        name=name,
        archived=habit.archived,
        where=f"Loop habit {name!r}",
        colour=loop_colour(habit.colour),
        position=habit.position,
    )
    num, den = max(habit.freq_num, 1), max(habit.freq_den, 1)
    if not habit.numerical:
        record.kind = "check"
        if num >= den:
            return record
        record.target_period = "week"
        times = num if den == 7 else min(7, max(1, round(num * 7 / den)))
        record.target_times = times
        if den != 7:
            notes.append(f"{name!r}: {num} times in {den} days became {times} times a week.")
        return record
    factor = TIME_UNITS[fold(habit.unit.strip())]
    minutes = round(habit.target_value * factor)
    period = "day" if den == 1 else "week"
    if den not in (1, 7):
        minutes = round(habit.target_value * factor * 7 / den)
        notes.append(f"{name!r}: a target over {den} days became a weekly target.")
    if minutes <= 0:
        if habit.target_type == 1:
            notes.append(f"{name!r}: a limit of 0 is not a target here; imported without one.")
        return record
    limit = MAX_TARGET_MINUTES[period]
    if minutes > limit:
        notes.append(f"{name!r}: its target is more than a {period} holds; it became {limit}.")
        minutes = limit
    record.target_minutes, record.target_period = minutes, period
    record.target_direction = "at_most" if habit.target_type == 1 else "at_least"
    return record


def _add_entries(conversion: Conversion, habit: LoopHabit, record: HabitRecord) -> None:
    """Check-offs (YES_MANUAL), skipped days (SKIP) and minutes; Loop's computed YES_AUTO, NO
    and UNKNOWN say nothing was done and add nothing."""
    data, short, cut = conversion.data, 0, 0
    factor = TIME_UNITS.get(fold(habit.unit.strip()), 1)
    for day, value, note in sorted(habit.entries, key=lambda entry: entry[0]):
        where = f"{record.where}, {day.isoformat()}"
        if note and len(note) > NOTE_MAX:
            note, cut = note[:NOTE_MAX], cut + 1
        note = note or None
        if value == SKIP:
            data.skips.append(DayRecord(record.name, day, note, where))
        elif not habit.numerical:
            if value == YES_MANUAL:
                data.checks.append(DayRecord(record.name, day, note, where))
        elif value > 0:
            minutes = round(value * factor / 1000)
            if minutes <= 0:
                short += 1
                continue
            data.logs.append(LogRecord(record.name, day, minutes, note, where))
    if short:
        conversion.notes.append(
            f"{record.name!r}: {_count(short, 'entry', 'entries')} under half a minute "
            "not imported."
        )
    if cut:
        conversion.notes.append(
            f"{record.name!r}: {_count(cut, 'note')} longer than {NOTE_MAX} characters shortened."
        )


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
