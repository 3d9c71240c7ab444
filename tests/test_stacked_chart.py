"""The stacked time series on /analytics/, its axis steps, and the headline's wording."""

import re
from datetime import date, timedelta

import pytest

from httracker.analytics.charts import _nice_max

from .test_analytics import TODAY, add_habit, add_logs


@pytest.fixture
def today(pin_today):
    pin_today(TODAY)
    return TODAY


@pytest.mark.parametrize(
    ("value", "top"),
    [
        (1, 20),
        (50, 60),
        (100, 120),
        (500, 720),
        (1500, 1920),
        (2900, 3600),
        (3000, 3600),
        (9000, 9600),
        (200_000, 200_160),
    ],
)
def test_the_axis_steps_in_round_hours(value, top):
    got = _nice_max(value)
    assert got >= value
    step = got / 4
    assert step in (5, 10, 15, 30) or step % 60 == 0, step
    assert got == top


def seven_habits(app, user):
    """Seven habits with 10, 20, … 70 minutes a day over the last week."""
    ids = {}
    for number in range(1, 8):
        habit_id = add_habit(app, user, f"H{number}", colour="blue", position=number)
        add_logs(
            app, user, habit_id, {TODAY - timedelta(days=back): number * 10 for back in range(7)}
        )
        ids[f"H{number}"] = habit_id
    return ids


def series_rows(page: str) -> list[list[str]]:
    table = page.split('class="stack series-table"')[1].split("</table>")[0]
    return [
        re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row) for row in table.split("<tr>")[2:]
    ]


def test_the_top_five_habits_stack_and_the_rest_is_other(app, client, user, today):
    seven_habits(app, user)
    page = client.get("/analytics/?range=7d").get_data(as_text=True)
    legend = re.findall(
        r"</span>([^<]+)</li>", page.split('class="chart-legend"')[1].split("</ul>")[0]
    )
    assert legend == ["H7", "H6", "H5", "H4", "H3", "Other (2 habits)"]
    assert (
        page.count('<g class="stack hc-blue">') == 5
        and page.count('<g class="stack stack-other">') == 1
    )
    # The table gives the same numbers: each layer per day, and the total.
    for row in series_rows(page):
        assert row == ["1h 10m", "1h", "50m", "40m", "30m", "30m", "4h 40m"]
    assert "H1" not in legend


def test_one_leftover_habit_gets_its_own_layer(app, client, user, today):
    for number in range(1, 7):
        habit_id = add_habit(app, user, f"H{number}", position=number)
        add_logs(app, user, habit_id, {TODAY: number})
    page = client.get("/analytics/?range=7d").get_data(as_text=True)
    assert "Other (" not in page
    assert page.count('<g class="stack hc-teal">') == 6


def test_the_chart_describes_its_layers(app, client, user, today):
    habit_id = add_habit(app, user, "Reading", colour="pink")
    add_logs(app, user, habit_id, {TODAY: 90})
    page = client.get("/analytics/?range=7d").get_data(as_text=True)
    assert "split into Reading 1h 30m" in page
    assert '<g class="stack hc-pink">' in page


def test_all_time_makes_no_comparison_and_long_ranges_name_the_year(app, client, user, today):
    habit_id = add_habit(app, user, "Reading")
    add_logs(app, user, habit_id, {date(2022, 6, 1): 200, TODAY: 30})
    page = client.get("/analytics/?range=all").get_data(as_text=True)
    assert "Against the previous" not in page
    assert '<time datetime="2022-06-01">Wed 1 Jun 2022</time>' in page
    page = client.get("/analytics/?range=30d").get_data(as_text=True)
    assert "Against the previous 30 days" in page


def test_a_reversed_range_is_a_form_error_on_the_page(app, client, user, today):
    add_habit(app, user, "Reading")
    response = client.get("/analytics/?start=2024-03-02&end=2024-03-01")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<p class="error range-error" id="range-error" role="alert">' in page
    assert 'value="2024-03-02" required aria-invalid="true"' in page
    assert "<h1>Analytics</h1>" in page


def streak_cells(page: str, name: str) -> tuple[str, str]:
    """The Streak and Longest cells of a habit's row in the analytics table."""
    row = page.split(f">{name}</a>")[1].split("</tr>")[0]
    streak = re.search(r'data-label="Streak">([^<]*)</td>', row).group(1)
    longest = re.search(r'data-label="Longest">([^<]*)</td>', row).group(1)
    return streak, longest


def streak_stats(page: str) -> str:
    """The streak figures on a habit's page before its strength score, tags removed."""
    section = page.split('id="analytics-habit-streaks-heading"')[1].split("/ 100")[0]
    section = section.split("</h2>", 1)[1]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    return re.sub(r" \d+$", "", text)  # the score's value


def dashboard_meta(page: str, name: str) -> str:
    """The line under a habit's progress bar on the dashboard, tags removed."""
    item = page.split('id="analytics-today-heading"')[1].split(name, 1)[1]
    meta = item.split('<p class="meta">')[1].split("</p>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", meta).split())


def test_a_weekly_habit_counts_its_streak_in_weeks_only(app, client, user, today):
    running = add_habit(app, user, "Running", target_minutes=60, target_period="week")
    reading = add_habit(app, user, "Reading", target_minutes=20, target_period="day")
    # Running: three weeks on target, each from one day (a count of days would say 1).
    add_logs(app, user, running, {TODAY - timedelta(days=7 * week): 70 for week in range(3)})
    add_logs(app, user, reading, {TODAY - timedelta(days=back): 25 for back in range(4)})
    page = client.get("/analytics/?range=30d").get_data(as_text=True)
    assert streak_cells(page, "Running") == ("3 wk", "—")
    assert streak_cells(page, "Reading") == ("4 d", "4 d")

    weekly = client.get(f"/habits/{running}").get_data(as_text=True)
    assert streak_stats(weekly) == "3 weeks Weeks in a row on target"
    assert "Best streaks" not in weekly
    daily = client.get(f"/habits/{reading}").get_data(as_text=True)
    assert streak_stats(daily) == "4 days Current streak 4 days Longest streak"
    assert "Best streaks" in daily

    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert dashboard_meta(dashboard, "Running") == "This week · 3 weeks in a row on target"
    assert dashboard_meta(dashboard, "Reading") == "Today · streak 4 days"
