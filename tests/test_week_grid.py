"""The dashboard's week grid: a row per active habit in the user's order, the last 7 days,
each cell's state, and the one-press check of today."""

import re
from datetime import timedelta

from httracker.habits.week import grid_days, make_cell
from httracker.models import Habit
from httracker.timeutil import today_in

TODAY = today_in("UTC")


def shown(page: str, habit_id: int) -> list[str]:
    row = page.split(f'<tr id="habit-{habit_id}"')[1].split("</tr>")[0]
    return [
        re.sub(r"<[^>]+>|\s+", "", body)
        for body in re.findall(r'<td class="cell [^"]*">(.*?)</td>', row, re.S)
    ]


def test_the_grid_shows_seven_days_ending_today():
    days = grid_days(TODAY)
    assert len(days) == 7 and days[-1] == TODAY and days[0] == TODAY - timedelta(days=6)


def test_levels_follow_the_daily_target():
    goal = Habit(name="Read", target_minutes=60, target_period="day")
    assert [make_cell(goal, TODAY, m, False, False).level for m in (0, 20, 30, 59, 60, 90)] == [
        0,
        1,
        2,
        2,
        3,
        3,
    ]
    limit = Habit(name="Games", target_minutes=60, target_period="day", target_direction="at_most")
    assert make_cell(limit, TODAY, 61, False, False).over
    assert not make_cell(limit, TODAY, 60, False, False).over
    check = Habit(name="Pill", kind="check", target_times=1)
    assert make_cell(check, TODAY, 0, True, False).level == 3


def test_cells_show_minutes_checks_and_skips(client, app, user, make_habit, make_log):
    from httracker.extensions import db
    from httracker.models import HabitCheck, HabitSkip

    reading = make_habit(user.id, "Reading", target_minutes=30)
    stretch = make_habit(user.id, "Stretch", kinds={"kind": "check"})
    make_habit(user.id, "Old", archived=True)
    make_log(user.id, reading, TODAY - timedelta(days=1), 20)
    make_log(user.id, reading, TODAY - timedelta(days=1), 25)
    make_log(user.id, reading, TODAY - timedelta(days=8), 99)  # outside the grid
    with app.app_context():
        db.session.add(HabitCheck(user_id=user.id, habit_id=stretch, date=TODAY))
        db.session.add(HabitSkip(user_id=user.id, habit_id=stretch, date=TODAY - timedelta(2)))
        db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert shown(page, reading) == ["", "", "", "", "", "45m", ""]
    assert shown(page, stretch) == ["", "", "", "", "–", "", "✓"]
    assert "Old" not in page.split('class="week-grid"')[1].split("</table>")[0]
    row = page.split(f'<tr id="habit-{reading}"')[1].split("</tr>")[0]
    assert 'class="cell lvl-3' in row  # 45m of a 30m target
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert f'href="/habits/{reading}/days/{yesterday}"' in row
    stretch_row = page.split(f'<tr id="habit-{stretch}"')[1].split("</tr>")[0]
    # Today's cell of a check habit is a form: one press (here: take the check back).
    assert f'action="/habits/{stretch}/uncheck"' in stretch_row
    assert 'aria-pressed="true"' in stretch_row


def test_one_press_checks_today_and_returns_to_the_row(client, app, user, make_habit):
    stretch = make_habit(user.id, "Stretch", kinds={"kind": "check"})
    page = client.get("/dashboard").get_data(as_text=True)
    row = page.split(f'<tr id="habit-{stretch}"')[1].split("</tr>")[0]
    action = re.search(r'<form method="post" action="([^"]+)" class="cell-form"', row).group(1)
    assert action == f"/habits/{stretch}/check"
    response = client.post(action, data={"next": f"/dashboard#habit-{stretch}"})
    assert response.headers["Location"] == f"/dashboard#habit-{stretch}"
    assert shown(client.get("/dashboard").get_data(as_text=True), stretch)[-1] == "✓"


def test_the_grid_follows_the_users_order(client, user, make_habit):
    ids = [make_habit(user.id, name) for name in ("Zed", "Alpha", "Mid")]
    page = client.get("/dashboard").get_data(as_text=True)
    grid = page.split('class="week-grid"')[1]
    assert [grid.index(f'id="habit-{i}"') for i in ids] == sorted(
        grid.index(f'id="habit-{i}"') for i in ids
    )
