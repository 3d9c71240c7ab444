"""The journeys of a real person, start to finish, in a real browser."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from httracker.formatting import readable_date

from .browser import unique_name
from .test_pages import check_page


def today() -> datetime:
    """Today for a new account, whose time zone is UTC."""
    return datetime.now(UTC).date()


def create_habit(visitor, name, category, target, period) -> str:
    """Create a habit through the form; returns its page's path."""
    visitor.goto("/habits/new")
    visitor.fill({"Name": name, "Category": category, "Target": target, "Target period": period})
    visitor.submit("Create habit")
    return landed_on_new_habit(visitor, name)


def landed_on_new_habit(visitor, name) -> str:
    """After creating a habit: the dashboard, the new habit's grid row highlighted; opens
    the habit's page and returns its path."""
    assert visitor.path().startswith("/dashboard?new=")
    assert f"Created habit {name}" in visitor.flash()
    row = visitor.page.locator("table.week-grid tr.new")
    expect(row.locator("th a")).to_have_text(name)
    habit_url = row.locator("th a").get_attribute("href")
    visitor.goto(habit_url)
    assert visitor.heading() == name
    return habit_url


def quick_log_row(visitor, habit):
    """The dashboard's quick-log row of `habit`."""
    return visitor.page.locator("table.quick-log tbody tr").filter(
        has=visitor.page.get_by_role("link", name=habit, exact=True)
    )


def test_first_day_register_track_review_correct_and_leave(open_visitor):
    visitor = open_visitor()
    visitor.register(unique_name())
    assert visitor.heading() == "Dashboard"
    # A new account is told what to do next.
    expect(visitor.page.locator(".empty h2")).to_have_text("Welcome! Start with one habit")
    visitor.follow("Create your first habit")
    visitor.fill(
        {"Name": "Reading", "Category": "Mind", "Target": "30", "Target period": "per day"}
    )
    visitor.submit("Create habit")
    reading_url = landed_on_new_habit(visitor, "Reading")
    assert "30m / day" in visitor.page.locator(".page-head").inner_text()
    running_url = create_habit(visitor, "Running", "Health", "2h", "per week")
    assert "2h / week" in visitor.page.locator(".page-head").inner_text()

    # Quick log from the dashboard.
    visitor.follow("Dashboard", scope="nav")
    # app.js: "m" jumps to the first quick-log box.
    visitor.page.keyboard.press("m")
    expect(visitor.page.get_by_label("Minutes of Reading", exact=True)).to_be_focused()
    visitor.fill({"Minutes of Reading": "45"})
    visitor.submit("Log Reading")
    assert visitor.path() == "/dashboard"
    assert "Logged 45m of Reading today." in visitor.flash()
    assert quick_log_row(visitor, "Reading").locator("td.num").inner_text() == "45m"
    assert "Logged today: 45m" in visitor.page.locator(".today-total").inner_text()

    # Log an earlier day with hours and minutes.
    past = today() - timedelta(days=3)
    visitor.follow("Log another day")
    assert visitor.heading() == "Log time"
    visitor.fill({"Habit": "Running", "Date": past.isoformat(), "Minutes": "1h30", "Note": "Hills"})
    visitor.submit("Log time")
    assert f"Logged 1h 30m of Running on {readable_date(past)}." in visitor.flash()
    assert visitor.page.locator(".logs-total").inner_text() == "2h 15m"
    # Dates read like dates, with the ISO date kept for machines.
    dates = visitor.page.locator("table tbody time")
    expect(dates.nth(1)).to_have_attribute("datetime", past.isoformat())
    assert dates.nth(1).inner_text() == f"{past:%a} {past.day} {past:%b %Y}"

    # The totals on the dashboard, the habit pages and the analytics page.
    visitor.follow("Dashboard", scope="nav")
    targets = visitor.page.locator("section[aria-labelledby='analytics-today-heading']")
    assert "45m of 30m ✓" in targets.inner_text()
    last_30 = visitor.page.locator("section[aria-labelledby='analytics-last30-heading']")
    assert "2h 15m in total, 45m today" in last_30.inner_text()
    expect(last_30.locator("svg.chart")).to_have_count(1)

    visitor.goto(running_url)
    assert visitor.table(visitor.page.locator("section[aria-labelledby='recent-heading']"))[0][
        :2
    ] == [f"{past:%a} {past.day} {past:%b %Y}", "1h 30m"]
    expect(visitor.page.locator("svg.chart-heatmap rect.heat-4")).to_have_count(1)
    visitor.goto(reading_url)
    assert "1 day" in visitor.page.locator(".stats").inner_text()  # the current streak

    visitor.follow("Analytics", scope="nav")
    assert visitor.heading() == "Analytics"
    headline = visitor.page.locator(".stats.headline")
    assert "2h 15m" in headline.locator(".stat").first.inner_text()
    assert visitor.page.locator("svg.chart").count() >= 3
    expect(visitor.page.locator("svg.chart-bars title").first).not_to_be_empty()
    habits = visitor.page.locator("section[aria-labelledby='habits-heading']")
    rows = {row[0].split()[0]: row for row in visitor.table(habits)}
    assert rows["Running"][1] == "1h 30m" and rows["Reading"][1] == "45m"

    # Correct one log, delete the other (after a confirmation step).
    visitor.follow("Logs", scope="nav")
    visitor.follow(f"Edit log of Running on {past:%a} {past.day} {past:%b %Y}")
    assert visitor.value("Minutes") == "1h 30m"
    visitor.fill({"Minutes": "2h"})
    visitor.submit("Save log")
    assert f"Saved the log of Running on {readable_date(past)}: 2h." in visitor.flash()
    now = today()
    visitor.follow(f"Delete log of Reading on {now:%a} {now.day} {now:%b %Y}")
    assert visitor.heading() == "Delete this log?"
    assert "45m of Reading" in visitor.page.locator(".consequence").inner_text()
    visitor.submit("Delete log")
    assert f"Deleted the log of 45m of Reading on {readable_date(now)}." in visitor.flash()
    assert visitor.page.locator(".logs-total").inner_text() == "2h"
    assert len(visitor.table()) == 1

    visitor.logout()
    visitor.goto("/dashboard")
    assert visitor.path() == "/auth/login?next=/dashboard"
    assert visitor.heading() == "Log in"


def test_another_user_cannot_open_a_habit_or_log(open_visitor):
    alice = open_visitor()
    alice.register(unique_name("alice"))
    habit_url = create_habit(alice, "Private diary", "", "", "per day")
    alice.follow("Log time")
    alice.fill({"Minutes": "20"})
    alice.submit("Log time")
    alice.goto("/logs/")
    alice.follow(f"Edit log of Private diary on {today():%a} {today().day} {today():%b %Y}")
    log_url = alice.path().split("?")[0]

    bob = open_visitor(viewport="phone")
    bob.register(unique_name("bob"))
    for url in (habit_url, f"{habit_url}/edit", log_url, log_url.replace("/edit", "/delete")):
        bob.goto(url, status=404)
        assert bob.heading() == "Page not found"
        assert "Private diary" not in bob.page.content()
    check_page(bob, "not-found-member")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_form_errors_are_inline_and_keep_what_was_typed(open_visitor, scheme):
    visitor = open_visitor(scheme=scheme)
    visitor.register(unique_name())
    create_habit(visitor, "Piano", "Music", "20m", "per day")
    past = today() - timedelta(days=1)
    visitor.goto("/logs/new")
    visitor.fill({"Habit": "Piano", "Date": past.isoformat(), "Minutes": "abc", "Note": "Scales"})
    visitor.submit("Log time", status=400)
    assert visitor.heading() == "Log time"
    assert "Enter a duration such as 90, 1:30, 1h30" in visitor.field_error("Minutes")
    assert visitor.value("Minutes") == "abc"
    assert visitor.value("Date") == past.isoformat()
    assert visitor.value("Note") == "Scales"
    assert (
        visitor.page.get_by_label("Habit", exact=True).evaluate(
            "(el) => el.selectedOptions[0].text"
        )
        == "Piano"
    )
    expect(visitor.page.get_by_label("Minutes", exact=True)).to_be_focused()
    check_page(visitor, "log-error")

    # The dashboard's quick log shows its error in its own row.
    visitor.goto("/dashboard")
    visitor.fill({"Minutes of Piano": "abc"})
    visitor.submit("Log Piano", status=400)
    assert "Enter a duration" in visitor.field_error("Minutes of Piano")
    assert visitor.value("Minutes of Piano") == "abc"
    check_page(visitor, "quick-log-error")
