"""Version-2 imports against what the account holds: its own entries decide the rules, nothing
is added twice, and entries racing an import are kept once."""

import html
from datetime import timedelta

import pytest

from httracker.extensions import db
from httracker.habits import days
from httracker.habits.services import delete_habit
from httracker.models import Habit, User
from httracker.portability import day_entries

from .test_export_v2 import everything
from .test_import_rules import import_while
from .test_import_v2 import CHECK, DAY, document, imported, refused


def test_entries_of_the_account_decide_the_rules(app, client, user, make_habit):
    """The stored habit counts, not the file's description of it: a check of a stored time
    habit is refused, and so are minutes for a stored check habit."""
    make_habit(user.id, "Reading")
    make_habit(user.id, "Meds", kinds={"kind": "check"})
    habits = [
        {**CHECK, "name": "Reading", "checks": [{"date": "2024-01-01"}]},
        {"name": "Meds", "logs": [{"date": "2024-01-01", "minutes": 5}]},
    ]
    page = refused(client, app, document(habits), "data.json")
    assert "habits[0].checks[0].date: Reading counts minutes" in page
    assert "habits[1].logs[0].minutes: Meds is checked off, not timed" in page
    v1 = document([habits[1]]).replace(b'"version": 2', b'"version": 1')
    assert "habits[0].logs[0].minutes: Meds is checked off" in refused(client, app, v1, "v1.json")


def test_what_is_there_already_is_not_added_twice(app, client, user, make_habit):
    meds = make_habit(user.id, "Meds", kinds={"kind": "check"})
    with app.app_context():
        owner = db.session.get(User, user.id)
        habit = db.session.get(Habit, meds)
        days.check_day(owner, habit, DAY, "from the web")
        days.skip_day(owner, habit, DAY + timedelta(days=1), "sick")
        days.add_break(owner, DAY, DAY + timedelta(days=2), [habit], "trip")
        db.session.commit()
    later = str(DAY + timedelta(days=3))
    habit = {
        **CHECK,
        "checks": [{"date": "2024-01-01", "note": "other note"}, {"date": later}, {"date": later}],
        "skips": [{"date": "2024-01-02", "note": None}],
    }
    breaks = [
        {"start": "2024-01-01", "end": "2024-01-03", "habits": ["MEDS", "meds"], "note": "trip"},
        {"start": "2024-01-01", "end": "2024-01-03", "habits": ["Meds"], "note": "another"},
        {"start": "2024-01-01", "end": "2024-01-03", "habits": None, "note": "trip"},
    ]
    summary = imported(client, document([habit], breaks), "data.json")
    assert summary == "Imported 0 habits, 0 logs, 1 check and 2 breaks (4 already there)."
    data = everything(app)
    assert data["checks"] == [
        ("Meds", DAY, "from the web"),
        ("Meds", DAY + timedelta(days=3), None),
    ]
    assert data["skips"] == [("Meds", DAY + timedelta(days=1), "sick")]
    assert data["breaks"] == sorted(
        [
            (DAY, DAY + timedelta(days=2), ["Meds"], "another"),
            (DAY, DAY + timedelta(days=2), ["Meds"], "trip"),
            (DAY, DAY + timedelta(days=2), None, "trip"),
        ],
        key=repr,
    )
    again = imported(client, document([habit], breaks), "data.json")
    assert again == "Imported 0 habits and 0 logs (7 already there)."


@pytest.mark.parametrize("moment", ["parse", "write_import"])
def test_a_day_checked_on_the_web_during_an_import_is_kept_once(
    app, client, user, make_habit, monkeypatch, moment
):
    """The web's check waits for the import's lock, or comes first and the import skips the
    day: one check either way, never a deadlock."""
    meds = make_habit(user.id, "Meds", kinds={"kind": "check"})

    def check(owner):
        days.check_day(owner, db.session.get(Habit, meds), DAY, "web")

    data = document([{**CHECK, "checks": [{"date": "2024-01-01", "note": "file"}]}])
    response, outcome = import_while(app, client, monkeypatch, data, check, moment)
    assert response.status_code == 302
    assert outcome["change"] == "committed"
    expected = "web" if outcome["first"] == "change" else "file"
    assert everything(app)["checks"] == [("Meds", DAY, expected)]


def test_a_habit_deleted_during_an_import_of_its_checks_is_an_ordinary_rejection(
    app, client, user, make_habit, monkeypatch
):
    meds = make_habit(user.id, "Meds", kinds={"kind": "check"})

    def delete(owner):
        delete_habit(db.session.get(Habit, meds))

    data = document(
        [{**CHECK, "checks": [{"date": "2024-01-01"}], "skips": [{"date": "2024-01-02"}]}]
    )
    response, outcome = import_while(app, client, monkeypatch, data, delete)
    assert outcome["change"] == "committed"
    data = everything(app)
    assert data["habits"] == [] and data["checks"] == [] and data["skips"] == []
    if outcome["first"] == "change":
        assert response.status_code == 400
        page = html.unescape(response.get_data(as_text=True))
        assert day_entries.DAYS_CHANGED_MEANWHILE in page
    else:
        assert response.status_code == 302
