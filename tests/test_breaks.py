"""/settings/breaks: list, add (all habits or chosen ones) and delete breaks; bad ranges and
foreign ids refused with nothing written."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.formatting import readable_date
from httracker.models import HabitBreak, HabitBreakHabit
from httracker.timeutil import today_in


@pytest.fixture
def habits(user, make_habit):
    """Alice's habits by name (one archived)."""
    return {
        "Reading": make_habit(user.id, "Reading"),
        "Stretch": make_habit(user.id, "Stretch", kinds={"kind": "check"}),
        "Old": make_habit(user.id, "Old", archived=True),
    }


def stored(app):
    """(start, end, all_habits, note, sorted habit ids) of every break."""
    with app.app_context():
        links = {}
        for link in db.session.scalars(select(HabitBreakHabit)):
            links.setdefault(link.break_id, []).append(link.habit_id)
        return [
            (b.start_date, b.end_date, b.all_habits, b.note, sorted(links.get(b.id, [])))
            for b in db.session.scalars(select(HabitBreak).order_by(HabitBreak.id))
        ]


def add(client, start, end, habits=("all",), note=""):
    data = {"start": str(start), "end": str(end), "habits": list(habits), "note": note}
    return client.post("/settings/breaks", data=data)


def test_the_settings_page_links_to_breaks(client, user):
    page = client.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/breaks"' in page


def test_an_empty_list_and_the_form(client, habits):
    page = client.get("/settings/breaks")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No breaks yet." in text
    assert re.findall(
        r'<label class="check" for="habits-\d+">\s*<input[^>]*> ([^<]+)</label>', text
    ) == [
        "All habits",
        "Reading",
        "Stretch",
        "Old (archived)",
    ]


def test_add_a_break_for_all_habits_then_for_chosen_ones(client, app, habits):
    start = today_in("UTC") + timedelta(days=10)
    response = add(client, start, start + timedelta(days=13), note=" Holiday ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/breaks"
    chosen = (str(habits["Stretch"]), str(habits["Old"]))
    # Overlapping breaks are fine.
    assert (
        add(client, start + timedelta(days=2), start + timedelta(days=3), chosen).status_code == 302
    )
    assert stored(app) == [
        (start, start + timedelta(days=13), True, "Holiday", []),
        (
            start + timedelta(days=2),
            start + timedelta(days=3),
            False,
            None,
            sorted([habits["Stretch"], habits["Old"]]),
        ),
    ]
    page = client.get("/settings/breaks").get_data(as_text=True)
    assert (
        f"Added a break from {readable_date(start + timedelta(days=2))} to "
        f"{readable_date(start + timedelta(days=3))}." in page
    )
    rows = re.findall(r'<td class="habits" data-label="Habits">([^<]*)</td>', page)
    assert rows == ["Old, Stretch", "All habits"]  # the latest start first
    assert re.findall(r'<td class="num" data-label="Days">(\d+)</td>', page) == ["2", "14"]


def test_a_break_of_a_year_is_fine_one_day_longer_is_not(client, app, habits):
    start = date(2023, 3, 1)
    assert add(client, start, start + timedelta(days=365)).status_code == 302
    response = add(client, start, start + timedelta(days=366))
    assert response.status_code == 400
    assert "A break lasts at most a year (366 days)." in response.get_data(as_text=True)
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    ("start", "end", "chosen", "field", "message"),
    [
        (date(2023, 1, 1), date(2024, 2, 4), ("all",), "end", "A break lasts at most a year"),
        (date(2023, 1, 10), date(2023, 1, 9), ("all",), "end", "A break ends on or after"),
        (date(1999, 12, 31), date(2000, 1, 5), ("all",), "start", "Dates start on 2000-01-01."),
        (366, 367, ("all",), "start", "Plan at most a year ahead."),
        (300, 366, ("all",), "end", "Plan at most a year ahead."),
        ("2023-02-30", date(2023, 3, 1), ("all",), "start", "Not a valid date value."),
        ("", date(2023, 3, 1), ("all",), "start", "This field is required."),
        (date(2023, 1, 1), date(2023, 1, 2), (), "habits", "Choose the habits the break is for"),
        (date(2023, 1, 1), date(2023, 1, 2), ("all", "Reading"), "habits", "not both"),
        (date(2023, 1, 1), date(2023, 1, 2), ("bob",), "habits", "Choose among your habits."),
        (date(2023, 1, 1), date(2023, 1, 2), ("99999",), "habits", "Choose among your habits."),
        (date(2023, 1, 1), date(2023, 1, 2), ("x",), "habits", "Choose among your habits."),
    ],
)
def test_bad_breaks_are_refused_inline(
    client, app, habits, make_user, make_habit, start, end, chosen, field, message
):
    bob = make_user("bob")
    ids = {**{name: str(habit_id) for name, habit_id in habits.items()}, "bob": None}
    ids["bob"] = str(make_habit(bob.id, "Secret"))
    today = today_in("UTC")
    start, end = (today + timedelta(days=d) if isinstance(d, int) else d for d in (start, end))
    response = add(client, start, end, [ids.get(value, value) for value in chosen])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', page)
    assert error and message in error.group(1), page
    assert "Secret" not in page
    assert stored(app) == []


def test_a_long_note_is_refused(client, app, habits):
    response = add(client, date(2023, 1, 1), date(2023, 1, 2), note="x" * 501)
    assert response.status_code == 400
    assert 'id="note-error">Use at most 500 characters.' in response.get_data(as_text=True)
    assert stored(app) == []


def test_delete_a_break_and_its_links(client, app, habits):
    add(client, date(2023, 1, 1), date(2023, 1, 2), [str(habits["Reading"])])
    add(client, date(2023, 2, 1), date(2023, 2, 2))
    with app.app_context():
        first = db.session.scalar(select(HabitBreak.id).order_by(HabitBreak.id))
    response = client.post(f"/settings/breaks/{first}/delete")
    assert response.status_code == 302
    assert stored(app) == [(date(2023, 2, 1), date(2023, 2, 2), True, None, [])]
    with app.app_context():
        assert db.session.scalars(select(HabitBreakHabit)).all() == []
    assert "Deleted the break from Sun 1 Jan 2023 to Mon 2 Jan 2023." in client.get(
        "/settings/breaks"
    ).get_data(as_text=True)
    assert client.get(f"/settings/breaks/{first}/delete").status_code == 405


def test_someone_elses_break_is_a_404_and_kept(client, app, habits, make_user):
    from httracker.habits.days import add_break
    from httracker.models import User

    bob = make_user("bob")
    with app.app_context():
        entry = add_break(db.session.get(User, bob.id), date(2023, 1, 1), date(2023, 1, 5), None)
        db.session.commit()
        bobs = entry.id
    response = client.post(f"/settings/breaks/{bobs}/delete")
    assert response.status_code == 404
    assert len(stored(app)) == 1
    assert "2023-01-05" not in client.get("/settings/breaks").get_data(as_text=True)


def test_breaks_need_a_login(client, app, make_user):
    make_user("alice")
    for response in (
        client.get("/settings/breaks"),
        client.post("/settings/breaks", data={"start": "2023-01-01", "end": "2023-01-02"}),
        client.post("/settings/breaks/1/delete"),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    assert stored(app) == []


def test_without_habits_the_page_says_what_to_do_first(client, user):
    page = client.get("/settings/breaks").get_data(as_text=True)
    assert "Create a habit first" in page
