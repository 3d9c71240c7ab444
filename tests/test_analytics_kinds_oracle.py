"""/analytics/data.json for habits of every kind, period and direction, with checks, skipped
days and breaks, against the brute-force reference (tests/oracle.py), on the test database."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from httracker.extensions import db
from httracker.models import User
from httracker.timeutil import today_in

from .kinds_history import SPECS, History, back, check_document, references, store

# seed, time zone, week start, the moment in UTC, and the local "today" it must give
SCENARIOS = [
    (1, "Pacific/Kiritimati", "monday", datetime(2024, 3, 5, 12, 0, tzinfo=UTC), date(2024, 3, 6)),
    (2, "Pacific/Pago_Pago", "sunday", datetime(2025, 1, 3, 8, 0, tzinfo=UTC), date(2025, 1, 2)),
    (3, "Asia/Kathmandu", "sunday", datetime(2024, 2, 28, 20, 0, tzinfo=UTC), date(2024, 2, 29)),
    (4, "America/St_Johns", "monday", datetime(2024, 1, 1, 2, 0, tzinfo=UTC), date(2023, 12, 31)),
]
SPAN = 300  # days of history; under the score's window, so no older day is left out
# Minutes per log, so targets are met and missed, and limits kept and broken.
LOG_MINUTES = {
    "Reading": (5, 50),
    "Running": (10, 60),
    "Phone": (10, 70),
    "Games": (10, 80),
    "Guitar": (1, 90),
    "Sketching": (1, 90),
}


def created(rng, today: date, days: int, now: datetime) -> datetime:
    """A creation moment near midnight UTC, so its local date often differs from its UTC one."""
    hour, minute = rng.choice((0, 1, 22, 23)), rng.randint(0, 59)
    return min(datetime.combine(back(today, days), time(hour, minute), UTC), now)


def random_history(seed: int, today: date, now: datetime) -> History:
    """Runs and gaps of logs or checks per habit, skips (some planned ahead), a break for all
    habits, one for chosen habits, and one that reaches past today; 'Sweets' (a limit) has no
    log at all, so only its creation day starts its count."""
    rng = random.Random(seed)
    history = History(created_at=[])
    for index, spec in enumerate(SPECS):
        first = rng.randint(SPAN // 2, SPAN)
        # Sometimes made after its first entry (an imported history), sometimes before.
        history.created_at.append(created(rng, today, first + rng.randint(-20, 15), now))
        day, active = back(today, first), True
        while day <= today and spec.name != "Sweets":
            if rng.random() < (0.12 if active else 0.3):
                active = not active
            if active and rng.random() < (0.5 if spec.period == "week" else 0.9):
                if spec.kind == "check":
                    history.checks.add((index, day))
                else:
                    for _ in range(rng.choice((1, 1, 2, 3))):
                        history.logs.append((index, day, rng.randint(*LOG_MINUTES[spec.name])))
            day += timedelta(days=1)
        for days in rng.sample(range(-60, SPAN), rng.randint(3, 15)):
            history.skips.add((index, back(today, days)))
    everyone = range(len(SPECS))
    start = back(today, rng.randint(30, SPAN))
    history.breaks.append((start, start + timedelta(days=rng.randint(2, 12)), None))
    start = back(today, rng.randint(10, SPAN))
    chosen = frozenset(rng.sample(everyone, 4))
    history.breaks.append((start, start + timedelta(days=rng.randint(1, 9)), chosen))
    # Reaching past today: for all habits in even scenarios, chosen ones in odd ones.
    start = back(today, rng.randint(0, 6))
    chosen = None if seed % 2 == 0 else frozenset(rng.sample(everyone, 5))
    history.breaks.append((start, today + timedelta(days=rng.randint(1, 40)), chosen))
    return history


def get(client, query: str) -> dict:
    response = client.get(f"/analytics/data.json{query}")
    assert response.status_code == 200, query
    return response.get_json()


@pytest.mark.parametrize(("seed", "timezone", "week_start", "now", "today"), SCENARIOS)
def test_every_kind_agrees_with_the_reference(
    app, client, make_user, auth, pin_now, seed, timezone, week_start, now, today
):
    user = make_user("alice", timezone=timezone, week_start=week_start)
    auth.login()
    pin_now(now)
    history = random_history(seed, today, now)
    ids = store(app, user.id, history)
    refs = references(history, timezone, week_start, today)
    everyone = set(range(len(SPECS)))
    screen = {i for i, spec in enumerate(SPECS) if spec.category == "Screen"}
    gym = next(i for i, spec in enumerate(SPECS) if spec.name == "Gym")
    past = (back(today, 200), back(today, 120))
    ahead = (back(today, 20), today + timedelta(days=40))
    cases = [
        ("", back(today, 29), today, everyone),
        ("?range=7d", back(today, 6), today, everyone),
        ("?range=90d", back(today, 89), today, everyone),
        ("?range=365d", back(today, 364), today, everyone),
        (f"?start={past[0]}&end={past[1]}", *past, everyone),
        (f"?start={ahead[0]}&end={ahead[1]}", *ahead, everyone),
        ("?range=90d&category=Screen", back(today, 89), today, screen),
        (f"?range=30d&habit_id={ids[gym]}", back(today, 29), today, {gym}),
    ]
    for query, start, end, chosen in cases:
        check_document(get(client, query), refs, ids, chosen, start, end, query)
    whole = get(client, "?range=all")
    first_log = min(day for _i, day, _minutes in history.logs)
    start = date.fromisoformat(whole["range"]["start"])
    assert start <= first_log
    check_document(whole, refs, ids, everyone, start, today, "?range=all")


# ---- random histories through the database ----

DAYS = 56
ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "America/St_Johns")
days_back = st.integers(0, DAYS)


@st.composite
def histories(draw, today: date, now: datetime) -> History:
    history = History(created_at=[])
    for index, spec in enumerate(SPECS):
        made = datetime.combine(back(today, draw(st.integers(0, DAYS + 5))), time(0), UTC)
        made += timedelta(minutes=draw(st.sampled_from((0, 30, 720, 1410))))
        history.created_at.append(min(made, now))
        if spec.kind == "check":
            checked = draw(st.sets(days_back, max_size=30))
            history.checks.update((index, back(today, days)) for days in checked)
        else:
            logged = draw(
                st.dictionaries(
                    days_back, st.lists(st.integers(1, 120), min_size=1, max_size=2), max_size=25
                )
            )
            for days, spent in logged.items():
                history.logs.extend((index, back(today, days), minutes) for minutes in spent)
        skipped = draw(st.sets(st.integers(-20, DAYS), max_size=8))
        history.skips.update((index, back(today, days)) for days in skipped)
    chosen = st.none() | st.frozensets(st.integers(0, len(SPECS) - 1), min_size=1)
    for days, length, habits in draw(
        st.lists(st.tuples(st.integers(-10, DAYS), st.integers(0, 14), chosen), max_size=3)
    ):
        first = back(today, days)
        history.breaks.append((first, first + timedelta(days=length), habits))
    return history


@st.composite
def cases(draw):
    timezone = draw(st.sampled_from(ZONES))
    now = datetime(2024, 3, 5, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 10079)))
    today = today_in(timezone, now)
    ends = sorted(draw(st.lists(st.integers(-15, DAYS + 5), min_size=2, max_size=2)))
    return (
        timezone,
        draw(st.sampled_from(("monday", "sunday"))),
        now,
        today,
        draw(histories(today, now)),
        (back(today, ends[1]), back(today, ends[0])),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_random_histories_agree_with_the_reference(app, client, make_user, auth, pin_now, case):
    timezone, week_start, now, today, history, (start, end) = case
    # One user for every example, logged in once; each example sets its zone and week.
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "alice"))
    if user_id is None:
        user_id = make_user("alice").id
        auth.login()
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == user_id).values(timezone=timezone, week_start=week_start)
        )
        db.session.commit()
    pin_now(now)
    ids = store(app, user_id, history)
    refs = references(history, timezone, week_start, today)
    everyone = set(range(len(SPECS)))
    query = f"?start={start}&end={end}"
    check_document(get(client, query), refs, ids, everyone, start, end, query)
    check_document(get(client, "?range=7d"), refs, ids, everyone, back(today, 6), today, "7d")
