"""The timer in a real browser, with JavaScript and without: start, reload, open another page
(the timer is in the header), wait a few seconds, stop, and see the log."""

import re

import pytest
from playwright.sync_api import expect

from .browser import unique_name
from .test_journeys import create_habit
from .test_pages import check_page

ELAPSED = re.compile(r"\d+:\d\d:\d\d")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_start_reload_another_page_stop_and_see_the_log(open_visitor, javascript):
    visitor = open_visitor(javascript=javascript)
    visitor.register(unique_name())
    habit_url = create_habit(visitor, "Piano", "Music", "", "per day")
    header = visitor.page.get_by_role("region", name="Running timer")
    expect(header).to_have_count(0)

    # Forgot to press Start: start it two minutes ago, from the habit page.
    earlier = visitor.page.locator("details.start-earlier")
    earlier.locator("summary").click()
    visitor.fill({"Started": "2m ago", "Note": "Scales"}, scope=earlier)
    visitor.submit("Start timer", scope=earlier)
    assert visitor.path() == habit_url
    assert "Started the timer for Piano." in visitor.flash()
    expect(header).to_contain_text("Piano")
    expect(visitor.page.get_by_role("button", name="Stop timer", exact=True)).to_have_count(1)

    visitor.page.reload()
    visitor.assert_clean()
    expect(header).to_contain_text("Piano")
    visitor.follow("Analytics", scope="nav")
    expect(header).to_contain_text("Piano")
    expect(header.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    elapsed = header.get_by_role("timer")
    shown = elapsed.inner_text()
    assert ELAPSED.fullmatch(shown) and shown.startswith("0:02:"), shown
    visitor.page.wait_for_timeout(2500)
    if javascript:
        # It ticks, and the tab's title says how long it has run.
        expect(elapsed).not_to_have_text(shown)
        assert re.match(r"^0:02:\d\d Piano · Analytics · HT-Tracker$", visitor.page.title())
    else:
        # Without scripts the page keeps the time it was made with, and its own title.
        expect(elapsed).to_have_text(shown)
        assert visitor.page.title() == "Analytics · HT-Tracker"
    check_page(visitor, f"timer-{'js' if javascript else 'no-js'}")

    visitor.submit("Stop the timer of Piano", scope=header)
    assert visitor.path() == "/analytics/"
    assert re.search(r"Stopped the timer: logged [23]m of Piano\.", visitor.flash())
    expect(header).to_have_count(0)
    visitor.goto(habit_url)
    recent = visitor.page.locator("section[aria-labelledby='recent-heading']")
    row = visitor.table(recent)[0]
    assert row[1] in ("2m", "3m") and row[2] == "Scales"


def test_dashboard_start_and_the_stop_page_discard(open_visitor):
    visitor = open_visitor(viewport="phone", javascript=False)
    visitor.register(unique_name())
    create_habit(visitor, "Chess", "", "", "per day")
    visitor.goto("/dashboard")
    visitor.submit("Start the timer for Chess")
    header = visitor.page.get_by_role("region", name="Running timer")
    expect(header).to_contain_text("Chess")
    expect(
        visitor.page.get_by_role("button", name="Stop the timer of Chess", exact=True)
    ).to_have_count(2)  # in the header and in the habit's row
    check_page(visitor, "timer-dashboard-phone")
    visitor.goto("/timer/stop")
    assert visitor.heading() == "Stop the timer of Chess"
    visitor.submit("Discard the timer without logging anything")
    assert "Discarded the timer of Chess: nothing logged." in visitor.flash()
    expect(header).to_have_count(0)
