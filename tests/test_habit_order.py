"""Habit colours (an accessible palette) and the user's order of habits."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.habits.colours import COLOUR_KEYS, PALETTE, contrast, next_colour
from httracker.models import Habit

STYLE = (Path(__file__).parent.parent / "httracker" / "static" / "style.css").read_text()
# The page surfaces each scheme shows habit colours on (style.css :root and its dark block).
LIGHT_SURFACES = ("#ffffff", "#f4f6f4", "#eef2ef", "#dcefe6")
DARK_SURFACES = ("#171e1b", "#0f1412", "#1e2723", "#183a2e")


def test_contrast_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("colour", PALETTE, ids=lambda colour: colour.key)
def test_every_colour_reads_as_text_in_both_schemes(colour):
    for surface in LIGHT_SURFACES:
        assert contrast(colour.light, surface) >= 4.5, (colour.key, surface)
    for surface in DARK_SURFACES:
        assert contrast(colour.dark, surface) >= 4.5, (colour.key, surface)


def test_the_stylesheet_has_each_shade_of_the_palette():
    light, dark = STYLE.split("@media (prefers-color-scheme: dark) {\n  .hc-teal")
    for colour in PALETTE:
        assert re.search(rf"\.hc-{colour.key} {{ --habit: {colour.light}; }}", light)
        assert f".hc-{colour.key} {{ --habit: {colour.dark}; }}" in dark or (
            colour.key == "teal" and f"--habit: {colour.dark}" in dark
        )


def test_the_next_colour_is_the_first_unused_then_the_least_used():
    assert next_colour([]) == "teal"
    assert next_colour(["teal", "violet"]) == "blue"
    assert next_colour(list(COLOUR_KEYS)) == "teal"
    assert next_colour([*COLOUR_KEYS, "teal", "blue"]) == "violet"


def habits(app, user_id):
    with app.app_context():
        query = select(Habit).where(Habit.user_id == user_id).order_by(Habit.position)
        return [(h.name, h.position, h.colour) for h in db.session.scalars(query)]


def test_new_habits_go_last_with_the_next_unused_colour(app, user, make_habit):
    for name in ("Zen", "Art", "Mid"):
        make_habit(user.id, name)
    assert habits(app, user.id) == [("Zen", 0, "teal"), ("Art", 1, "blue"), ("Mid", 2, "violet")]


def test_the_form_offers_the_next_colour_and_saves_the_chosen_one(client, app, user, make_habit):
    make_habit(user.id, "Zen")
    fields = {"kind": "time", "target_period": "day", "target_direction": "at_least"}
    page = client.get("/habits/new").get_data(as_text=True)
    assert re.search(r'<input checked id="colour-1" name="colour" type="radio" value="blue">', page)
    client.post("/habits/new", data={"name": "Art", "colour": "pink", **fields})
    assert habits(app, user.id)[1] == ("Art", 1, "pink")
    with app.app_context():
        art_id = db.session.scalar(select(Habit.id).where(Habit.name == "Art"))
    edit = {"name": "Art", "colour": "mauve", **fields}
    response = client.post(f"/habits/{art_id}/edit", data=edit)
    assert response.status_code == 400
    client.post(f"/habits/{art_id}/edit", data={**edit, "colour": "slate"})
    assert habits(app, user.id)[1] == ("Art", 1, "slate")
    client.post(f"/habits/{art_id}/edit", data={**edit, "colour": "pink"})
    assert habits(app, user.id)[1] == ("Art", 1, "pink")


def test_move_up_and_down_with_plain_forms(client, app, user, make_habit):
    ids = [make_habit(user.id, name) for name in ("A", "B", "C")]
    response = client.post(f"/habits/{ids[2]}/move", data={"direction": "up"})
    assert response.headers["Location"] == "/habits/"
    assert [name for name, *_ in habits(app, user.id)] == ["A", "C", "B"]
    page = client.get("/habits/").get_data(as_text=True)
    assert "Moved C up." in page
    assert page.index(">A</a>") < page.index(">C</a>") < page.index(">B</a>")
    client.post(f"/habits/{ids[0]}/move", data={"direction": "up"})
    assert "A is already first." in client.get("/habits/").get_data(as_text=True)
    assert client.post(f"/habits/{ids[0]}/move", data={"direction": "sideways"}).status_code == 400
    dashboard = client.get("/dashboard").get_data(as_text=True)
    rows = [dashboard.index(f'id="habit-{habit_id}"') for habit_id in (ids[0], ids[2], ids[1])]
    assert rows == sorted(rows)


def test_archived_habits_are_skipped_when_moving(client, app, user, make_habit):
    a = make_habit(user.id, "A")
    make_habit(user.id, "Old", archived=True)
    c = make_habit(user.id, "C")
    client.post(f"/habits/{c}/move", data={"direction": "up"})
    assert [name for name, *_ in habits(app, user.id)][:1] == ["C"]
    assert habits(app, user.id)[-1][0] in ("A", "Old")
    assert [n for n, *_ in habits(app, user.id) if n != "Old"] == ["C", "A"]
    assert a


def test_the_whole_order_at_once(client, app, user, make_habit, make_user):
    ids = [make_habit(user.id, name) for name in ("A", "B", "C")]
    response = client.post(
        "/habits/order",
        data={"order": f"{ids[2]},{ids[0]}"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 204
    assert [name for name, *_ in habits(app, user.id)] == ["C", "A", "B"]
    assert [position for _, position, _ in habits(app, user.id)] == [0, 1, 2]


@pytest.mark.parametrize("order", ["", "x,1", "{a},{a}", "{bob}", "99999999999"])
def test_a_bad_order_changes_nothing(client, app, user, make_habit, make_user, order):
    a = make_habit(user.id, "A")
    make_habit(user.id, "B")
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Secret")
    before = habits(app, user.id), habits(app, bob.id)
    response = client.post("/habits/order", data={"order": order.format(a=a, bob=bobs)})
    assert response.status_code == 400
    assert (habits(app, user.id), habits(app, bob.id)) == before


def test_moving_needs_a_csrf_token(client, app, user, make_habit, monkeypatch):
    ids = [make_habit(user.id, name) for name in ("A", "B")]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/habits/{ids[1]}/move", data={"direction": "up"}).status_code == 400
    assert client.post("/habits/order", data={"order": f"{ids[1]},{ids[0]}"}).status_code == 400
    assert [name for name, *_ in habits(app, user.id)] == ["A", "B"]
