"""Toggl Track and Clockify detailed exports: minutes per habit per local day, split at
midnight, the project or project-and-description mapping, and the files refused."""

import html
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.models import Habit, HabitLog

from .foreign_files import clockify_csv, toggl_csv
from .test_import import log_count, rejected, upload

START = datetime(2024, 5, 6, 9, 0)


def entries():
    """(project, description, start, end, client): one crossing midnight, two of one project
    on one day, one without a project, one of 20 seconds."""
    return [
        ("Writing", "Chapter 1", START, START + timedelta(minutes=50), "Book"),
        ("Writing", "Chapter 2", START + timedelta(hours=3), START + timedelta(hours=4, minutes=5),
         "Book"),
        ("Piano", "Scales", datetime(2024, 5, 6, 23, 30), datetime(2024, 5, 7, 0, 45), ""),
        ("", "Email", START + timedelta(days=1), START + timedelta(days=1, minutes=20), ""),
        ("Piano", "Tuning", START + timedelta(days=2), START + timedelta(days=2, seconds=20), ""),
    ]  # fmt: skip


def expected_minutes(mapping: str) -> dict:
    """The same sums, computed independently: whole minutes per habit per day."""
    seconds = defaultdict(int)
    for project, description, start, end, _ in entries():
        name = project or "No project"
        if mapping == "project-description" and description:
            name = f"{name} – {description}"
        moment = start
        while moment < end:
            step = min(
                end, datetime.combine(moment.date() + timedelta(days=1), datetime.min.time())
            )
            seconds[(name, moment.date())] += int((step - moment).total_seconds())
            moment = step
    return {key: round(total / 60) for key, total in seconds.items() if round(total / 60)}


def stored_minutes(app) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(Habit.name, HabitLog.date, HabitLog.minutes).join(Habit)
        ).all()
        return {(name, day): minutes for name, day, minutes in rows}


@pytest.mark.parametrize("maker", [toggl_csv, clockify_csv])
def test_minutes_per_project_per_day_split_at_midnight(app, client, user, maker):
    preview = upload(client, maker(entries()), "export.csv", confirm=False)
    assert preview.status_code == 302
    page = html.unescape(client.get(preview.headers["Location"]).get_data(as_text=True))
    assert "Toggl Track" in page if maker is toggl_csv else "Clockify" in page
    assert "1 days of a habit with less than half a minute are not imported." in page
    assert client.post(preview.headers["Location"] + "/confirm").status_code == 302
    minutes = stored_minutes(app)
    assert minutes == expected_minutes("project")
    assert minutes[("Writing", date(2024, 5, 6))] == 50 + 65
    assert minutes[("Piano", date(2024, 5, 6))] == 30 and minutes[("Piano", date(2024, 5, 7))] == 45
    with app.app_context():
        categories = dict(db.session.execute(select(Habit.name, Habit.category)).tuples().all())
    assert categories == {"Writing": "Book", "Piano": "", "No project": ""}


def test_the_preview_offers_project_and_description(app, client, user):
    preview = upload(client, toggl_csv(entries()), "toggl.csv", confirm=False).headers["Location"]
    response = client.post(f"{preview}/mapping", data={"mapping": "project-description"})
    assert response.status_code == 302 and response.headers["Location"] == preview
    page = html.unescape(client.get(preview).get_data(as_text=True))
    assert "Writing – Chapter 1" in page and "Piano – Scales" in page
    bad = client.post(f"{preview}/mapping", data={"mapping": "tags"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    assert client.post(f"{preview}/confirm").status_code == 302
    assert stored_minutes(app) == expected_minutes("project-description")


def test_clockify_day_first_dates_are_recognised(app, client, user):
    rows = [("Run", "", datetime(2024, 5, 13, 7), datetime(2024, 5, 13, 7, 40), "")]
    assert upload(client, clockify_csv(rows, day_first=True), "c.csv").status_code == 302
    assert stored_minutes(app) == {("Run", date(2024, 5, 13)): 40}


AMBIGUOUS = "No date in the file has a day after the 12th"


def preview_url(client, data: bytes) -> str:
    preview = upload(client, data, "export.csv", confirm=False)
    assert preview.status_code == 302
    return preview.headers["Location"]


def page_text(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def test_dates_that_read_both_ways_are_read_month_first_and_noted(app, client, user):
    """Every day of entries() is the 6th to the 8th: nothing tells 05/06 from 06/05."""
    url = preview_url(client, clockify_csv(entries()))
    assert (
        f"{AMBIGUOUS}, so each could be month/day or day/month; they were read as month/day "
        "(05/06/2024 is 6 May 2024). If that is wrong, set the date format in Clockify's "
        "settings to YYYY-MM-DD and export again."
    ) in page_text(client, url)
    assert client.post(f"{url}/confirm").status_code == 302
    assert stored_minutes(app) == expected_minutes("project")


def test_the_cli_notes_dates_that_read_both_ways(app, runner, user, tmp_path):
    path = tmp_path / "clockify.csv"
    path.write_bytes(clockify_csv(entries(), day_first=True))  # 06/05/2024, read as 5 June
    dry = runner.invoke(args=["import", "alice", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Note: {AMBIGUOUS}" in dry.output and "(06/05/2024 is 5 June 2024)" in dry.output
    assert "Dates: 2024-06-05 to 2024-07-05." in dry.output


def run(start: datetime, end: datetime) -> list:
    return [("Run", "", start, end, "")]


@pytest.mark.parametrize(
    ("data", "minutes"),
    [
        # A day after the 12th first: day-first, even when only an end date shows it.
        (clockify_csv(run(datetime(2024, 5, 13, 7), datetime(2024, 5, 13, 8)), day_first=True),
         {("Run", date(2024, 5, 13)): 60}),
        (clockify_csv(run(datetime(2024, 5, 12, 23), datetime(2024, 5, 13, 1)), day_first=True),
         {("Run", date(2024, 5, 12)): 60, ("Run", date(2024, 5, 13)): 60}),
        # A day after the 12th second: month-first.
        (clockify_csv(run(datetime(2024, 5, 12, 23), datetime(2024, 5, 13, 1))),
         {("Run", date(2024, 5, 12)): 60, ("Run", date(2024, 5, 13)): 60}),
        # ISO dates are never ambiguous.
        (toggl_csv(entries()), expected_minutes("project")),
    ],
    ids=["day-first", "day-first-end", "month-first-end", "iso"],
)  # fmt: skip
def test_dates_that_read_one_way_only_get_no_note(app, client, user, data, minutes):
    url = preview_url(client, data)
    page = page_text(client, url)
    assert "not imported" in page  # the notes are shown
    assert AMBIGUOUS not in page and "month/day" not in page
    assert client.post(f"{url}/confirm").status_code == 302
    assert stored_minutes(app) == minutes


def test_a_day_over_24_hours_is_refused_with_the_forms_message(app, client, user):
    rows = [
        ("A", "", datetime(2024, 5, 6, 0, 0), datetime(2024, 5, 6, 20, 0), ""),
        ("B", "", datetime(2024, 5, 6, 10, 0), datetime(2024, 5, 6, 16, 0), ""),
    ]
    page = rejected(client, app, toggl_csv(rows), "toggl.csv")
    assert "Line 3, minutes:" in page and "24h" in page


def test_formulas_entries_before_2000_and_broken_rows_are_refused(app, client, user):
    formula = [('=HYPERLINK("http://x","y")', "", START, START + timedelta(hours=1), "")]
    page = rejected(client, app, toggl_csv(formula), "toggl.csv")
    assert "Line 2, project: " in page and "spreadsheet formula" in page
    old = [("Old", "", datetime(1999, 12, 31, 10), datetime(1999, 12, 31, 11), "")]
    assert "Line 2, date: Dates start on 2000-01-01." in rejected(client, app, toggl_csv(old))
    backwards = [("X", "", START, START - timedelta(hours=1), "")]
    assert "Line 2: the entry ends before it starts." in rejected(client, app, toggl_csv(backwards))
    fine = [("X", "", START, START + timedelta(hours=1), "")]
    text = toggl_csv(fine).decode().replace("2024-05-06", "2024-05-32", 1).encode()
    assert "start date '2024-05-32' is not a date." in rejected(client, app, text)
    assert log_count(app) == 0


def test_the_cli_takes_from_and_mapping_and_a_dry_run_writes_nothing(app, runner, user, tmp_path):
    path = tmp_path / "toggl.csv"
    path.write_bytes(toggl_csv(entries()))
    dry = runner.invoke(args=["import", "alice", str(path), "--from", "toggl", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    logs = len(expected_minutes("project"))
    assert logs == 4
    assert f"Toggl Track detailed CSV export: 3 new habits, {logs} logs" in dry.output
    assert "Dates: 2024-05-06 to 2024-05-07." in dry.output
    assert "Dry run: nothing was imported." in dry.output
    assert log_count(app) == 0
    wrong = runner.invoke(args=["import", "alice", str(path), "--from", "clockify"])
    assert wrong.exit_code == 1 and "not a Clockify detailed CSV export" in wrong.output
    args = ["import", "alice", str(path), "--from", "auto", "--mapping", "project-description"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert stored_minutes(app) == expected_minutes("project-description")


def test_a_large_file_shows_a_progress_bar_on_the_cli(app, runner, user, tmp_path):
    rows = [
        (f"Project {number % 7}", "x" * 50, START - timedelta(days=number),
         START - timedelta(days=number) + timedelta(minutes=10), "")
        for number in range(8000)  # back to 2002
    ]  # fmt: skip
    path = tmp_path / "toggl.csv"
    path.write_bytes(toggl_csv(rows))
    assert path.stat().st_size > 1024 * 1024
    result = runner.invoke(args=["import", "alice", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output and "7 new habits, 8000 logs" in result.output
    small = tmp_path / "small.csv"
    small.write_bytes(toggl_csv(rows[:5]))
    assert "Importing" not in runner.invoke(args=["import", "alice", str(small)]).output


def test_the_cli_imports_a_clockify_export_after_a_dry_run_that_writes_nothing(
    app, runner, user, tmp_path
):
    path = tmp_path / "clockify.csv"
    path.write_bytes(clockify_csv(entries()))
    args = ["import", "alice", str(path), "--from", "clockify"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert (
        "Clockify detailed CSV export: 3 new habits, 4 logs, 0 check-offs, 0 skipped days, "
        "0 breaks (0 already there)." in dry.output
    )
    assert "Dates: 2024-05-06 to 2024-05-07." in dry.output
    assert "  Writing (time, no target): new" in dry.output
    assert "Note: 1 days of a habit with less than half a minute are not imported." in dry.output
    assert "Dry run: nothing was imported." in dry.output
    assert stored_minutes(app) == {}

    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Imported 3 habits and 4 logs." in result.output
    minutes = stored_minutes(app)
    assert minutes == expected_minutes("project")
    assert minutes[("Writing", date(2024, 5, 6))] == 50 + 65
    assert minutes[("Piano", date(2024, 5, 7))] == 45
    assert minutes[("No project", date(2024, 5, 7))] == 20
    with app.app_context():
        assert db.session.scalar(select(Habit.category).where(Habit.name == "Writing")) == "Book"
