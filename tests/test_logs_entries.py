"""The log list holds checks and skipped days beside the logs: one newest-first list, filtered
by habit, category, dates and kind of entry, each entry with its way back."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from httracker.extensions import db
from httracker.models import HabitCheck, HabitLog, HabitSkip

START = date(2024, 1, 1)


@pytest.fixture
def history(app, user, make_habit):
    """Logs of Reading (Mind), checks of Stretch (Body) and skips of both over ten days;
    every entry's note names it: log-N, check-N, skip-reading-N, skip-stretch-N."""
    reading = make_habit(user.id, "Reading", category="Mind")
    stretch = make_habit(user.id, "Stretch", category="Body", kinds={"kind": "check"})
    with app.app_context():
        for day in range(10):
            when = START + timedelta(days=day)
            if day % 2 == 0:
                db.session.add(
                    HabitLog(
                        user_id=user.id, habit_id=reading, date=when, minutes=10, note=f"log-{day}"
                    )
                )
                db.session.add(
                    HabitCheck(user_id=user.id, habit_id=stretch, date=when, note=f"check-{day}")
                )
            else:
                for name, habit_id in (("reading", reading), ("stretch", stretch)):
                    db.session.add(
                        HabitSkip(
                            user_id=user.id, habit_id=habit_id, date=when, note=f"skip-{name}-{day}"
                        )
                    )
        db.session.commit()
    return {"Reading": reading, "Stretch": stretch}


def notes(page: bytes) -> list[str]:
    return re.findall(r'<td class="note" data-label="Note">([^<]*)</td>', page.decode())


def test_every_entry_newest_first_with_its_kind(client, history):
    page = client.get("/logs/")
    assert page.status_code == 200
    expected = []
    for day in range(9, -1, -1):
        if day % 2 == 0:
            expected += [f"log-{day}", f"check-{day}"]
        else:
            # Within a day and a kind, the latest entered first.
            expected += [f"skip-stretch-{day}", f"skip-reading-{day}"]
    assert notes(page.data) == expected
    text = page.get_data(as_text=True)
    kinds = re.findall(r'<td class="kind" data-label="Entry">([^<]+)</td>', text)
    assert kinds[:4] == ["Skipped", "Skipped", "Logged", "Checked"]
    assert "20 entries" in text
    assert "5 logs, 5 checks, 10 skipped days." in text
    assert 'class="logs-total">50m<' in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"entry": "check"}, [f"check-{day}" for day in (8, 6, 4, 2, 0)]),
        ({"entry": "log"}, [f"log-{day}" for day in (8, 6, 4, 2, 0)]),
        ({"entry": "skip", "habit": "Stretch"}, [f"skip-stretch-{day}" for day in (9, 7, 5, 3, 1)]),
        (
            {"category": "Body", "start": "2024-01-06"},
            ["skip-stretch-9", "check-8", "skip-stretch-7", "check-6", "skip-stretch-5"],
        ),
        ({"end": "2024-01-02", "habit": "Reading"}, ["skip-reading-1", "log-0"]),
        ({"entry": "check", "habit": "Reading"}, []),
    ],
)
def test_filters_apply_to_every_kind(client, history, query, expected):
    params = dict(query)
    if "habit" in params:
        params["habit_id"] = history[params.pop("habit")]
    page = client.get("/logs/", query_string=params)
    assert page.status_code == 200
    assert notes(page.data) == expected


def test_the_total_is_shown_only_when_logs_are_listed(client, history):
    assert b"logs-total" not in client.get("/logs/?entry=skip").data
    assert b'class="logs-total">50m<' in client.get("/logs/?entry=log").data


def test_a_bad_kind_of_entry_is_an_inline_error_and_lists_everything(client, history):
    page = client.get("/logs/?entry=nap")
    assert page.status_code == 400
    assert b'id="entry-error">Not a valid choice.' in page.data
    assert len(notes(page.data)) == 20


def test_pages_run_across_kinds_and_keep_the_kind_filter(client, app, user, history):
    with app.app_context():
        for day in range(10, 70):
            db.session.add(
                HabitSkip(
                    user_id=user.id,
                    habit_id=history["Reading"],
                    date=START + timedelta(days=day),
                    note=f"late-{day}",
                )
            )
        db.session.commit()
    first = client.get("/logs/").data
    assert len(notes(first)) == 50 and b"Page 1 of 2" in first
    second = client.get("/logs/?page=2").data
    assert notes(second)[:10] == [f"late-{day}" for day in range(19, 9, -1)]
    assert len(notes(second)) == 30
    skips = client.get("/logs/?entry=skip").get_data(as_text=True)
    link = unescape(re.search(r'rel="next" href="([^"]+)"', skips).group(1))
    assert "entry=skip" in link and "page=2" in link


def undo_forms(page: str) -> list[dict]:
    """The undo forms of a log list (not the logout button): action and hidden fields."""
    forms = []
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)" class="inline">(.*?)</form>', page, re.S
    ):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
        forms.append({"action": unescape(action), **{k: unescape(v) for k, v in fields.items()}})
    return [form for form in forms if form["action"] != "/auth/logout"]


def test_each_check_and_skip_is_undone_from_the_list(client, app, history):
    page = client.get("/logs/?category=Body").get_data(as_text=True)
    forms = undo_forms(page)
    assert len(forms) == 10
    assert {form["action"] for form in forms} == {
        f"/habits/{history['Stretch']}/uncheck",
        f"/habits/{history['Stretch']}/unskip",
    }
    for form in forms:
        response = client.post(form["action"], data=form)
        assert response.status_code == 302
        assert response.headers["Location"] == "/logs/?category=Body"
    with app.app_context():
        assert db.session.scalar(select(func.count(HabitCheck.id))) == 0
        left = db.session.scalars(select(HabitSkip.habit_id)).all()
        assert left == [history["Reading"]] * 5
    assert notes(client.get("/logs/?category=Body").data) == []


def test_undo_buttons_name_what_they_undo(client, history):
    page = client.get("/logs/?entry=check&end=2024-01-01").get_data(as_text=True)
    assert re.search(r"Uncheck<span class=\"visually-hidden\"> Stretch on [^<]*2024</span>", page)


def test_other_users_entries_never_show(client, app, history, make_user, make_habit):
    bob = make_user("bob")
    secret = make_habit(bob.id, "Secret", kinds={"kind": "check"})
    with app.app_context():
        db.session.add(HabitCheck(user_id=bob.id, habit_id=secret, date=START, note="bob-entry"))
        db.session.add(HabitSkip(user_id=bob.id, habit_id=secret, date=START, note="bob-skip"))
        db.session.commit()
    for query in ("", f"?habit_id={secret}", "?entry=check", "?entry=skip"):
        page = client.get(f"/logs/{query}").data
        assert b"bob-" not in page and b"Secret" not in page
