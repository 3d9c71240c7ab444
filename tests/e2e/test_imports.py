"""Moving from Loop Habit Tracker: upload its backup, read the preview, import it, and find
the streaks on the habit's page."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from ..foreign_files import SKIP, YES_MANUAL, LoopHabit, loop_db
from .browser import unique_name
from .test_pages import check_page


def test_a_loop_backup_through_the_preview(open_visitor, tmp_path):
    today = datetime.now(UTC).date()  # a new account's time zone is UTC
    # 20 days in a row, a day missed, then 9 days up to yesterday with one of them skipped.
    done = [today - timedelta(days=offset) for offset in range(11, 31)]
    recent = [today - timedelta(days=offset) for offset in range(1, 10)]
    entries = [(day, YES_MANUAL, None) for day in done]
    entries += [(day, SKIP if day == today - timedelta(days=5) else YES_MANUAL, None)
                for day in recent]  # fmt: skip
    backup = tmp_path / "Loop Habits Backup.db"
    loop_db(backup, [LoopHabit("Meditate", entries=entries),
                     LoopHabit("Pages", numerical=True, unit="pages", position=1)])  # fmt: skip

    visitor = open_visitor()
    visitor.register(unique_name())
    visitor.goto("/settings/")
    visitor.page.get_by_label("File to import (up to 5 MB)").set_input_files(backup)
    visitor.submit("Preview import")
    assert visitor.heading() == "Import preview"
    assert "Loop Habit Tracker backup" in visitor.page.locator(".subtitle").inner_text()
    rows = visitor.table()
    assert rows == [["Meditate", "check-offs", "once a day", "new habit", "0", "28", "1"]]
    notes = visitor.page.locator(".import-notes").inner_text()
    assert "'Pages' counts 'pages', not minutes or hours: not imported (0 entries)." in notes
    check_page(visitor, "import-preview")

    visitor.submit("Import")
    assert visitor.path() == "/settings/"
    assert "Imported 1 habit, 0 logs, 28 checks and 1 skipped day." in visitor.flash()

    visitor.goto("/habits/")
    visitor.follow("Meditate")
    stats = visitor.page.locator(".stats")
    # 9 days to yesterday less the skipped one (a skip neither breaks nor extends a streak).
    expect(stats.locator(".stat").filter(has_text="Current streak")).to_contain_text("8 days")
    expect(stats.locator(".stat").filter(has_text="Longest streak")).to_contain_text("20 days")
