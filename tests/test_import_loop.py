"""Loop Habit Tracker's backup (.db) and CSV export (zip): each mapping rule, and every file
refused before anything is read from it or written."""

import html
import sqlite3
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.habits.colours import PALETTE
from httracker.models import Habit, HabitCheck, HabitLog, HabitSkip, ImportPreview
from httracker.portability.loop import LOOP_COLOURS, loop_colour
from httracker.portability.loop_csv import read_loop_csv
from httracker.portability.loop_db import _open, _private_copy, read_loop_db

from .foreign_files import NO, SKIP, UNKNOWN, YES_AUTO, YES_MANUAL, LoopHabit, loop_db, loop_zip
from .test_import import log_count, rejected, snapshot, upload

DAY = date(2024, 3, 4)


def days(count: int, start: date = DAY) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(count)]


def sample_habits() -> list[LoopHabit]:
    """One habit of each kind Loop has, with every kind of entry."""
    values = [YES_MANUAL, YES_MANUAL, SKIP, NO, YES_AUTO, UNKNOWN, YES_MANUAL]
    return [
        LoopHabit("Meditate", position=1, color=3,
                  entries=[(day, value, "calm" if value == SKIP else None)
                           for day, value in zip(days(7), values, strict=True)]),
        LoopHabit("Gym", freq_num=3, freq_den=7, position=0, archived=True,
                  entries=[(day, YES_MANUAL, None) for day in days(3)]),
        LoopHabit("Read", numerical=True, unit="minutes", target_value=30, position=2,
                  entries=[(DAY, 45_000, "novel"), (DAY + timedelta(1), 29_600, None),
                           (DAY + timedelta(2), SKIP, None), (DAY + timedelta(3), 0, None)]),
        LoopHabit("Screens", numerical=True, unit="Hours", target_type=1, target_value=5,
                  freq_den=7, position=3, entries=[(DAY, 1_500, None)]),
        LoopHabit("Pages", numerical=True, unit="pages", target_value=20, position=4,
                  entries=[(day, 12_000, None) for day in days(5)]),
    ]  # fmt: skip


def stored(app):
    """Habits (name, kind, target, archived) and their entries, by habit name."""
    with app.app_context():
        habits = {
            habit.name: (
                habit.kind, habit.target_minutes, habit.target_period, habit.target_direction,
                habit.target_times, habit.archived,
            )
            for habit in db.session.scalars(select(Habit))
        }  # fmt: skip
        entries = {}
        for model, label in ((HabitLog, "log"), (HabitCheck, "check"), (HabitSkip, "skip")):
            query = select(Habit.name, model.date, model.note).join(Habit)
            if model is HabitLog:
                query = query.add_columns(HabitLog.minutes)
            for row in db.session.execute(query):
                entries.setdefault(row[0], []).append((label, *row[1:]))
        return habits, {name: sorted(rows) for name, rows in entries.items()}


EXPECTED_HABITS = {
    "Meditate": ("check", None, "day", "at_least", 1, False),
    "Gym": ("check", None, "week", "at_least", 3, True),
    "Read": ("time", 30, "day", "at_least", None, False),
    "Screens": ("time", 300, "week", "at_most", None, False),
}
EXPECTED_ENTRIES = {
    # YES_MANUAL is a check-off, SKIP a skipped day (with its note); NO, YES_AUTO and UNKNOWN
    # are nothing done.
    "Meditate": sorted([("check", DAY, None), ("check", DAY + timedelta(1), None),
                        ("skip", DAY + timedelta(2), "calm"), ("check", DAY + timedelta(6), None)]),
    "Gym": [("check", day, None) for day in days(3)],
    # 45.000 and 29.600 minutes, a skip; 0 is nothing.
    "Read": sorted([("log", DAY, "novel", 45), ("log", DAY + timedelta(1), None, 30),
                    ("skip", DAY + timedelta(2), None)]),
    "Screens": [("log", DAY, None, 90)],  # 1.5 hours
}  # fmt: skip


@pytest.mark.parametrize("kind", ["db", "zip", "zip-numbers"])
def test_each_loop_mapping_rule(app, client, user, tmp_path, kind):
    """The backup; the CSV export of Loop 2.1 and later (special values by name, amounts as
    stored, ×1000); and of earlier versions, every value a stored number."""
    if kind == "db":
        data = loop_db(tmp_path / "x.db", sample_habits())
    else:
        data = loop_zip(sample_habits(), names=kind == "zip")
    preview = upload(client, data, f"Loop.{kind[:3]}", confirm=False)
    assert preview.status_code == 302
    page = html.unescape(client.get(preview.headers["Location"]).get_data(as_text=True))
    assert "'Pages' counts 'pages', not minutes or hours: not imported (5 entries)." in page
    assert stored(app) == ({}, {})  # a preview writes nothing
    assert client.post(preview.headers["Location"] + "/confirm").status_code == 302
    habits, entries = stored(app)
    assert habits == EXPECTED_HABITS
    assert entries == EXPECTED_ENTRIES


def test_loop_colour_and_position_are_carried(tmp_path):
    conversion = read_loop_db(loop_db(tmp_path / "x.db", sample_habits()), 1000)
    records = conversion.data.habits
    assert [record.name for record in records.values()] == ["Gym", "Meditate", "Read", "Screens"]
    assert (records["meditate"].colour, records["meditate"].position) == ("orange", 1)
    zipped = read_loop_csv(loop_zip(sample_habits()), 1000).data.habits
    # The CSV writes the colour as a hex code: Loop 2.x's own are read as their index.
    assert (zipped["meditate"].colour, zipped["read"].position) == ("orange", 2)


@pytest.mark.parametrize(
    "code, colour",
    [("#1976D2", "blue"), ("#aaaaaa", "slate"), ("#E53935", "red"), ("#43A047", "green"),
     ("#8E24AA", "violet"), ("#00796B", "teal"), ("#F06292", "pink"), ("#FB8C00", "orange"),
     ("#12345", None), ("#GGGGGG", None), ("", None)],
)  # fmt: skip
def test_a_csv_colour_of_any_loop_palette_finds_the_nearest_of_ours(code, colour):
    """Other Loop versions have other palettes: a hex code not in 2.x's goes by its hue."""
    assert loop_colour(code) == colour


def test_imported_loop_habits_keep_loop_order_and_colours(app, client, user, tmp_path):
    habits = sample_habits()
    habits[2].color, habits[3].color = 11, 99  # blue; an index Loop does not have
    preview = upload(client, loop_db(tmp_path / "x.db", habits), "Loop.db", confirm=False)
    assert client.post(preview.headers["Location"] + "/confirm").status_code == 302
    with app.app_context():
        placed = db.session.execute(select(Habit.name, Habit.colour).order_by(Habit.position)).all()
    names = [name for name, _ in placed]
    assert names == ["Gym", "Meditate", "Read", "Screens"]  # Loop's positions 0-3
    colours = dict(placed)
    assert colours["Meditate"] == LOOP_COLOURS[3] == "orange"
    assert colours["Read"] == LOOP_COLOURS[11] == "blue"
    assert colours["Screens"] in {colour.key for colour in PALETTE}  # the next unused one


def test_same_names_unknown_frequencies_and_long_names_are_noted(tmp_path):
    habits = [
        LoopHabit("Walk", position=0),
        LoopHabit("walk", position=1, freq_num=2, freq_den=30),
        LoopHabit("x" * 100, position=2),
    ]
    conversion = read_loop_db(loop_db(tmp_path / "x.db", habits), 1000)
    names = [record.name for record in conversion.data.habits.values()]
    assert names == ["Walk", "walk (2)", "x" * 80]
    # 2 in 30 days is 0.47 a week: at least once a week.
    assert conversion.data.habits["walk (2)"].target_times == 1
    assert "'walk (2)': 2 times in 30 days became 1 times a week." in conversion.notes


def test_a_second_import_of_the_same_backup_adds_nothing(app, client, user, tmp_path):
    data = loop_db(tmp_path / "x.db", sample_habits())
    assert upload(client, data, "Loop.db").status_code == 302
    before = stored(app)
    response = upload(client, data, "Loop.db")
    assert response.status_code == 302
    assert stored(app) == before
    page = client.get("/settings/").get_data(as_text=True)
    assert "Imported 0 habits and 0 logs (11 already there)." in page


def test_an_entry_before_2000_rejects_the_whole_backup(app, client, user, tmp_path):
    habits = sample_habits()
    habits[0].entries.append((date(1999, 12, 31), YES_MANUAL, None))
    page = rejected(client, app, loop_db(tmp_path / "x.db", habits), "Loop.db")
    assert "Loop habit 'Meditate', 1999-12-31, date: Dates start on 2000-01-01." in page


def test_a_habit_of_another_kind_in_the_account_rejects_the_file(app, client, user, make_habit):
    make_habit(user.id, "Meditate")  # a time habit with that name
    page = rejected(client, app, loop_zip(sample_habits()), "Loop.zip")
    assert "Loop habit 'Meditate', 2024-03-04" in page


@pytest.mark.parametrize(
    ("extra_sql", "message"),
    [
        ("create trigger t after insert on Habits begin delete from Repetitions; end;",
         "holds a trigger"),
        ("create view Everything as select * from Habits;", "holds a view"),
        ("create virtual table Search using fts5(name);", "holds a virtual table"),
        ("create virtual table Places using rtree(id, x0, x1);", "holds a virtual table"),
    ],
)  # fmt: skip
def test_a_backup_with_code_in_its_schema_is_refused(
    app, client, user, tmp_path, extra_sql, message
):
    data = loop_db(tmp_path / "x.db", sample_habits(), extra_sql)
    page = rejected(client, app, data, "Loop.db")
    assert "Loop.db was not imported; nothing changed." in page
    assert f"The backup {message}, which a Loop Habit Tracker backup never has" in page
    assert stored(app) == ({}, {})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportPreview)) == 0


def test_the_connection_reads_only_the_known_columns(tmp_path):
    """What a hostile file could ask for beyond them (attaching another database, writing,
    other tables) is refused by the connection itself."""
    data = loop_db(tmp_path / "x.db", sample_habits(), "create table Secrets (value text);")
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    with _private_copy(data) as path:
        connection = _open(path)
        try:
            for statement in (
                f"ATTACH DATABASE '{other}' AS other",
                "SELECT value FROM Secrets",
                "SELECT description FROM Habits",
                "DELETE FROM Habits",
                "SELECT load_extension('x')",
            ):
                with pytest.raises(sqlite3.DatabaseError):
                    connection.execute(statement).fetchall()
            assert connection.execute("SELECT count(*) FROM Habits").fetchone() == (5,)
        finally:
            connection.close()


def test_wrong_tables_not_sqlite_and_damaged_files_are_refused(app, client, user, tmp_path):
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("create table Habits (id integer primary key, title text)")
    connection.commit()
    connection.close()
    assert "not a Loop Habit Tracker backup" in rejected(client, app, other.read_bytes(), "a.db")
    page = rejected(client, app, b"date,habit\n" * 50, "backup.db")
    assert "The file is not a Loop Habit Tracker backup: it is not an SQLite database." in page
    junk = b"SQLite format 3\x00" + b"\x00\xff" * 3000
    assert "Loop" in rejected(client, app, junk, "junk.db")
    page = rejected(client, app, b"PK\x03\x04 this zip ends here", "Loop.zip")
    assert "not a readable zip archive" in page
    damaged = bytearray(loop_db(tmp_path / "x.db", sample_habits()))
    damaged[4096 : 4096 + 8] = b"\xff" * 8  # the second page's header
    assert "The backup is damaged" in rejected(client, app, bytes(damaged), "Loop.db")
    half = loop_db(tmp_path / "y.db", sample_habits())[:12288]
    assert "The backup is damaged" in rejected(client, app, half, "Loop.db")
    assert log_count(app) == 0


def test_junk_named_db_is_not_sqlite_on_the_cli(app, runner, user, tmp_path):
    path = tmp_path / "backup.db"
    path.write_bytes(b"not a database at all\n" * 10)
    result = runner.invoke(args=["import", "alice", str(path), "--from", "loop"])
    assert result.exit_code == 1
    assert "it is not an SQLite database." in result.output
    ours = tmp_path / "export.csv"
    ours.write_text("date,habit,category,minutes,note\n2024-01-01,Reading,,30,\n")
    result = runner.invoke(args=["import", "alice", str(ours), "--from", "loop"])
    assert result.exit_code == 1
    message = "The file is not a Loop Habit Tracker backup (.db) or CSV export (.zip)."
    assert message in result.output
    assert log_count(app) == 0


def test_a_zip_without_habits_csv_and_a_zip_with_formulas_are_refused(app, client, user):
    buffer = __import__("io").BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "no Habits.csv" in rejected(client, app, buffer.getvalue(), "Loop.zip")
    page = rejected(client, app, loop_zip(sample_habits(), '=HYPERLINK("http://x")'), "L.zip")
    assert "Habits.csv, line 2, name: " in page and "spreadsheet formula" in page
    assert snapshot(app) == ([], [])


@pytest.mark.parametrize("kind", ["db", "zip"])
def test_the_cli_imports_a_loop_file_after_a_dry_run_that_writes_nothing(
    app, runner, user, tmp_path, kind
):
    path = tmp_path / f"Loop.{kind}"
    if kind == "db":
        loop_db(path, sample_habits())
    else:
        path.write_bytes(loop_zip(sample_habits()))
    source = "backup" if kind == "db" else "CSV export"
    entries = [entry[0] for rows in EXPECTED_ENTRIES.values() for entry in rows]
    logs, checks, skips = (entries.count(label) for label in ("log", "check", "skip"))
    assert (logs, checks, skips) == (3, 6, 2)
    args = ["import", "alice", str(path), "--from", "loop"]

    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert (
        f"Loop Habit Tracker {source}: 4 new habits, {logs} logs, {checks} check-offs, "
        f"{skips} skipped days, 0 breaks (0 already there)." in dry.output
    )
    assert "Dates: 2024-03-04 to 2024-03-10." in dry.output
    assert "  Screens (time, at most 300 minutes a week): new" in dry.output
    assert "Note: 'Pages' counts 'pages', not minutes or hours: not imported" in dry.output
    assert "Dry run: nothing was imported." in dry.output
    assert stored(app) == ({}, {})

    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert (
        f"Imported 4 habits, {logs} logs, {checks} checks and {skips} skipped days."
        in result.output
    )
    assert stored(app) == (EXPECTED_HABITS, EXPECTED_ENTRIES)
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    assert "Imported 0 habits and 0 logs (11 already there)." in again.output
    assert stored(app) == (EXPECTED_HABITS, EXPECTED_ENTRIES)
