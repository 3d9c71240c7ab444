"""SVG charts: titles, text alternatives, axis labels in hours and minutes, nothing external."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import insert

from httracker.analytics import charts
from httracker.analytics.panels import habit_panel
from httracker.extensions import db
from httracker.models import Habit, HabitLog, User

TODAY = date(2024, 3, 5)


class PageAudit(HTMLParser):
    """Collects what a strict Content-Security-Policy and the chart rules care about."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.style_attributes, self.urls = 0, 0, [], []
        self.svgs, self.open_svg, self.svg_titles, self.svg_descs = 0, 0, 0, 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # Scripts must come from a file of this site (CSP script-src 'self'): no inline ones.
        self.scripts += tag == "script" and not attributes.get("src")
        self.styles += tag == "style"
        if "style" in attributes:
            self.style_attributes.append(tag)
        for name in ("src", "href", "action", "xlink:href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag == "svg":
            self.svgs += 1
            self.open_svg += 1
        if tag == "title" and self.open_svg:
            self.svg_titles += 1
        if tag == "desc" and self.open_svg:
            self.svg_descs += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.open_svg -= 1


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    assert page.scripts == 0
    assert page.styles == 0
    assert page.style_attributes == []
    # Every URL stays on this site: relative paths only, no scheme, no protocol-relative host.
    for url in page.urls:
        assert url.startswith(("/", "#", "?")) and not url.startswith("//"), url
    return page


def test_bar_chart_has_title_desc_and_hour_labels():
    svg = str(charts.bar_chart("c1", "Time per day", [("Mon", 90), ("Tue", 0), ("Wed", 30)]))
    assert svg.startswith('<svg class="chart chart-bars"')
    assert '<title id="c1-title">Time per day</title>' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert "the highest is Mon with 1h 30m" in svg
    assert ">2h</text>" in svg  # the axis tops out at a round two hours
    assert "<title>Tue: 0m</title>" in svg
    assert "style" not in svg


def test_chart_text_is_escaped():
    svg = str(charts.bar_chart("c2", "<b>&", [("<i>", 5)]))
    assert "<b>" not in svg and "<i>" not in svg
    assert "&lt;b&gt;&amp;" in svg


def test_line_chart_and_empty_history():
    points = [(TODAY - timedelta(days=n), 50.0 + n) for n in range(10, -1, -1)]
    svg = str(charts.line_chart("c3", "Strength", points))
    assert "<polyline" in svg
    assert "on a scale of 0 to 100" in svg
    assert "No history yet" in str(charts.line_chart("c4", "Strength", []))


def test_heatmap_levels_and_columns():
    days = {TODAY - timedelta(days=n): (n % 5) * 10 for n in range(365)}
    svg = str(charts.heatmap("c5", "Last year", days, "monday"))
    assert svg.count('class="heat heat-') == 365
    assert "heat-0" in svg and "heat-4" in svg
    assert f"<title>{TODAY.isoformat()}: 0m</title>" in svg
    assert charts.heat_level(0, 100) == 0
    assert charts.heat_level(1, 100) == 1
    assert charts.heat_level(25, 100) == 1
    assert charts.heat_level(26, 100) == 2
    assert charts.heat_level(100, 100) == 4


@pytest.fixture
def busy_user(app, user, pin_today):
    pin_today(TODAY)
    with app.app_context():
        habit = Habit(
            user_id=user.id, name="Reading <notes>", target_minutes=60, target_period="week"
        )
        db.session.add(habit)
        db.session.flush()
        rows = [
            {
                "user_id": user.id,
                "habit_id": habit.id,
                "date": TODAY - timedelta(days=n),
                "minutes": 20 + n % 40,
            }
            for n in range(0, 400, 2)
        ]
        db.session.execute(insert(HabitLog), rows)
        db.session.commit()
        return user.id, habit.id


@pytest.mark.parametrize(
    ("url", "charts_expected"),
    [("/analytics/", 3), ("/analytics/?range=all", 3), ("/dashboard", 1)],
)
def test_pages_show_accessible_svg_charts_and_load_nothing_external(
    client, busy_user, url, charts_expected
):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = audit(html)
    assert page.svgs == charts_expected
    assert page.svg_descs == charts_expected
    assert page.svg_titles >= charts_expected
    # One stylesheet for the whole site, and it styles the charts' classes.
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/style.css"]
    stylesheet = client.get("/static/style.css")
    css = stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert all(f".{name}" in css for name in ("chart-bar", "chart-label", "heat-4"))
    assert page.scripts == 0  # no inline script


def test_habit_panel_renders_heatmap_streaks_score_and_weeks(app, busy_user):
    user_id, habit_id = busy_user
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, user_id)
        habit = db.session.get(Habit, habit_id)
        login_user(user)
        panel = habit_panel(user, habit, TODAY)
        html = render_template("analytics/_habit.html", panel=panel)
    page = audit(html)
    assert page.svgs == 3
    assert page.svg_descs == 3
    assert "Reading &lt;notes&gt;: the last 365 days" in html
    assert panel["stats"].current_streak == 1  # every other day: today is done, yesterday not
    assert panel["stats"].longest_streak == 1
    assert panel["stats"].week_streak >= 1
    assert len(panel["stats"].best_streaks) == 5
    assert len(panel["weeks"]) == 12
    assert panel["weeks"][-1]["start"] == date(2024, 3, 4)  # this week, starting Monday
    # A weekly habit: its streak in weeks, no runs of days beside it.
    assert "Weeks in a row on target" in html
    assert "Best streaks" not in html and "Current streak" not in html


def test_habit_panel_weeks_against_a_daily_target(app, user, pin_today):
    pin_today(TODAY)  # a Tuesday: this week has two days so far
    with app.app_context():
        habit = Habit(user_id=user.id, name="Reading", target_minutes=30, target_period="day")
        db.session.add(habit)
        db.session.flush()
        for day, minutes in ((TODAY, 30), (TODAY - timedelta(days=1), 29), (date(2024, 2, 27), 45)):
            db.session.add(HabitLog(user_id=user.id, habit_id=habit.id, date=day, minutes=minutes))
        db.session.commit()
        with app.test_request_context():
            owner = db.session.get(User, user.id)
            panel = habit_panel(owner, habit, TODAY)
            html = render_template("analytics/_habit.html", panel=panel)
    assert panel["weeks"][-1] == {
        "start": date(2024, 3, 4),
        "minutes": 59,
        "checks": 0,
        "met": None,
        "days_met": 1,
        "days_skipped": 0,
        "days": 2,
    }
    assert panel["weeks"][-2]["days_met"] == 1
    assert panel["weeks"][-2]["days"] == 7
    assert "Days with 30m or more" in html
    assert "1 of 2" in html


def test_bar_chart_target_line():
    svg = str(charts.bar_chart("c6", "Weeks", [("Mar 04", 50)], target=150))
    assert 'class="chart-target"' in svg
    assert "the target line is at 2h 30m" in svg
    assert ">3h</text>" in svg  # the axis reaches above the target


def test_crowded_axes_mark_every_other_label_minor_for_small_screens():
    month = charts.bar_chart("c", "Month", [(f"day {n}", n) for n in range(30)])
    week = charts.bar_chart("w", "Week", [(name, 10) for name in "MTWTFSS"], every=1)
    assert str(month).count('class="chart-label minor"') == 4  # of 8 axis labels
    assert ">day 0<" in str(month) and ">day 28<" in str(month)
    assert "minor" not in str(week)


def test_axis_steps_are_whole_minutes_even_with_nothing_logged():
    svg = str(charts.bar_chart("e", "Nothing yet", [("Mon", 0), ("Tue", 0)]))
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert labels == ["0m", "5m", "10m", "15m", "20m"]
