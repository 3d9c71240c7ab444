"""The log list: newest first, 50 a page, filters and the total of the filtered set."""

import re
from datetime import date, timedelta

import pytest

from httracker.extensions import db
from httracker.models import HabitLog

START = date(2024, 1, 1)


@pytest.fixture
def logs(app, user, make_habit):
    """120 logs over 60 days on three habits in two categories; returns (habits, logs)."""
    habits = {
        "Reading": make_habit(user.id, "Reading", category="Mind"),
        "Chess": make_habit(user.id, "Chess", category="Mind"),
        "Running": make_habit(user.id, "Running", category="Sport"),
    }
    rows = []
    with app.app_context():
        for index in range(120):
            name = ("Reading", "Chess", "Running")[index % 3]
            log = HabitLog(
                user_id=user.id,
                habit_id=habits[name],
                date=START + timedelta(days=index // 2),
                minutes=1 + index,
                note=f"entry-{index:03d}",
            )
            db.session.add(log)
            rows.append((index, name, log.date, log.minutes))
        db.session.commit()
    return habits, rows


def entries(page: bytes) -> list[int]:
    return [int(number) for number in re.findall(rb"entry-(\d{3})", page)]


def expected_order(rows):
    """Newest first: by date, then by insertion (id) descending."""
    return [index for index, *_ in sorted(rows, key=lambda row: (row[2], row[0]), reverse=True)]


def total_shown(page: bytes) -> str:
    return re.search(rb'class="logs-total">([^<]+)<', page).group(1).decode()


def as_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if hours and rest else (f"{hours}h" if hours else f"{rest}m")


def test_pages_of_fifty_newest_first(client, logs):
    _, rows = logs
    order = expected_order(rows)
    first = client.get("/logs/").data
    assert entries(first) == order[:50]
    assert b"Page 1 of 3" in first
    assert entries(client.get("/logs/?page=2").data) == order[50:100]
    last = client.get("/logs/?page=3").data
    assert entries(last) == order[100:]
    assert b'rel="next"' not in last and b'rel="prev"' in last
    assert entries(client.get("/logs/?page=99").data) == []
    assert client.get("/logs/?page=-1").status_code == 200
    # the total covers every page
    assert total_shown(first) == as_duration(sum(row[3] for row in rows))


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ({"habit": "Running"}, lambda name, day: name == "Running"),
        ({"category": "Mind"}, lambda name, day: name in ("Reading", "Chess")),
        ({"start": "2024-01-20"}, lambda name, day: day >= date(2024, 1, 20)),
        ({"end": "2024-01-05"}, lambda name, day: day <= date(2024, 1, 5)),
        (
            {"start": "2024-01-10", "end": "2024-01-12", "category": "Mind"},
            lambda name, day: date(2024, 1, 10) <= day <= date(2024, 1, 12) and name != "Running",
        ),
        ({"start": "2024-01-10", "end": "2024-01-09"}, lambda name, day: False),
    ],
)
def test_filters_and_their_total(client, logs, query, keep):
    habits, rows = logs
    params = dict(query)
    if "habit" in params:
        params["habit_id"] = habits[params.pop("habit")]
    wanted = [row for row in rows if keep(row[1], row[2])]
    page = client.get("/logs/", query_string=params)
    assert page.status_code == 200
    assert entries(page.data) == expected_order(wanted)[:50]
    assert total_shown(page.data) == as_duration(sum(row[3] for row in wanted))


def test_page_links_keep_the_filters(client, logs):
    page = client.get("/logs/?category=Mind&start=2024-01-01").data.decode()
    link = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "category=Mind" in link and "start=2024-01-01" in link and "page=2" in link


def test_bad_filters_are_inline_errors_not_500s(client, logs):
    page = client.get("/logs/?start=not-a-date&habit_id=abc&page=x")
    assert page.status_code == 400
    assert b"Not a valid date value." in page.data
    assert b'aria-invalid="true"' in page.data
    # the valid part of the request still works: every log is listed
    assert len(entries(page.data)) == 50


def test_other_users_habit_id_filter_shows_nothing(client, logs, make_user, make_habit, make_log):
    bob = make_user("bob")
    bobs = make_habit(bob.id, "Secret")
    make_log(bob.id, bobs, START, 5, note="bob-entry")
    page = client.get(f"/logs/?habit_id={bobs}").data
    assert b"bob-entry" not in page and entries(page) == []
    assert b"bob-entry" not in client.get("/logs/").data


def test_non_utf8_query_strings_never_cause_a_500(client, logs):
    for query in ("category=%FF%FE", "start=%FF", "habit_id=%C3", "page=%FF"):
        assert client.get(f"/logs/?{query}").status_code in (200, 400), query
    assert client.get("/logs/new?habit_id=%FF").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["page=99999999999999999999", "habit_id=99999999999999999999", "page=-5", "habit_id=-1"],
)
def test_numbers_no_row_can_have_are_harmless(client, user, query):
    response = client.get(f"/logs/?{query}")
    assert response.status_code == 200
