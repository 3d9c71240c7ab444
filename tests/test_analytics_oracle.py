"""/analytics/data.json against a brute-force oracle: plain Python over the raw log rows."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from httracker.extensions import db
from httracker.models import Habit, HabitLog

SCENARIOS = [
    # seed, time zone, week start, the moment in UTC, and the local "today" it must give
    (1, "Pacific/Kiritimati", "monday", datetime(2024, 3, 5, 12, 0, tzinfo=UTC), date(2024, 3, 6)),
    (2, "Pacific/Pago_Pago", "sunday", datetime(2025, 1, 3, 8, 0, tzinfo=UTC), date(2025, 1, 2)),
    (3, "Asia/Kathmandu", "sunday", datetime(2024, 2, 28, 20, 0, tzinfo=UTC), date(2024, 2, 29)),
    (4, "America/St_Johns", "monday", datetime(2024, 1, 1, 2, 0, tzinfo=UTC), date(2023, 12, 31)),
]


def generate(app, user_id: int, seed: int, today: date) -> None:
    """Several habits (daily, weekly and no target, one archived) with runs, gaps and days
    holding several logs, over the 500 days before `today`."""
    rng = random.Random(seed)
    specs = [
        ("Reading", "Mind", 30, "day", False),
        ("Running", "Body", 150, "week", False),
        ("Guitar", "Music", None, "day", False),
        ("Chess", "Mind", 200, "week", True),
        ("Walking", "", 20, "day", False),
    ]
    with app.app_context():
        habits = []
        for name, category, target, period, archived in specs:
            habit = Habit(
                user_id=user_id,
                name=name,
                category=category,
                target_minutes=target,
                target_period=period,
                archived=archived,
            )
            db.session.add(habit)
            habits.append(habit)
        db.session.flush()
        rows = []
        for habit in habits:
            day = today - timedelta(days=rng.randint(300, 500))
            active = True
            while day <= today:
                if rng.random() < (0.12 if active else 0.3):
                    active = not active  # runs of logged days alternate with gaps
                if active:
                    for _ in range(rng.choice((1, 1, 1, 2, 3))):
                        rows.append(
                            {
                                "user_id": user_id,
                                "habit_id": habit.id,
                                "date": day,
                                "minutes": rng.randint(1, 60),
                            }
                        )
                day += timedelta(days=1)
        db.session.execute(insert(HabitLog), rows)
        db.session.commit()


# ---- the oracle: deliberately naive, one day at a time, over raw rows ----


def days(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def week_of(day, week_start):
    first = 0 if week_start == "monday" else 6
    while day.weekday() != first:
        day -= timedelta(days=1)
    return day


def oracle(raw_logs, habits, week_start, today, start, end, chosen_ids):
    per = {}  # (habit_id, date) -> minutes
    for habit_id, day, minutes in raw_logs:
        per[(habit_id, day)] = per.get((habit_id, day), 0) + minutes

    def on(habit_id, day):
        return per.get((habit_id, day), 0)

    def done(habit, day):
        threshold = habit["target_minutes"] if habit["target_period"] == "day" else None
        minutes = on(habit["id"], day)
        return minutes >= threshold if threshold else minutes > 0

    def week_minutes(habit, first):
        return sum(on(habit["id"], first + timedelta(days=n)) for n in range(7))

    chosen = [habit for habit in habits if habit["id"] in chosen_ids]

    def total(day):
        return sum(on(habit["id"], day) for habit in chosen)

    length = (end - start).days + 1
    in_range = {day: total(day) for day in days(start, end)}
    minutes = sum(in_range.values())
    active = [day for day, value in in_range.items() if value]
    best = None
    for day, value in in_range.items():
        if value and (best is None or value > best["minutes"]):
            best = {"date": day.isoformat(), "minutes": value}
    previous = sum(total(day) for day in days(start - timedelta(days=length), start - timedelta(1)))
    expected = {
        "range": {"start": start.isoformat(), "end": end.isoformat()},
        "totals": {
            "minutes": minutes,
            "days": length,
            "active_days": len(active),
            "average_per_day": round(minutes / length, 1),
            "average_per_active_day": round(minutes / len(active), 1) if active else 0.0,
            "best_day": best,
            "previous_period_minutes": previous,
        },
        "daily": [{"date": day.isoformat(), "minutes": value} for day, value in in_range.items()],
    }
    rows = []
    for habit in chosen:
        logged = [day for (habit_id, day) in per if habit_id == habit["id"]]
        first = min(logged) if logged else None
        range_days = [day for day in days(start, end) if on(habit["id"], day)]
        # streaks
        day = today if done(habit, today) else today - timedelta(days=1)
        current = 0
        while done(habit, day):
            current += 1
            day -= timedelta(days=1)
        longest, run = 0, 0
        if logged:
            for day in days(min(logged), max(logged)):
                run = run + 1 if done(habit, day) else 0
                longest = max(longest, run)
        week_streak = None
        weekly = habit["target_minutes"] and habit["target_period"] == "week"
        if weekly:
            week = week_of(today, week_start)
            if week_minutes(habit, week) < habit["target_minutes"]:
                week -= timedelta(days=7)
            week_streak = 0
            while week_minutes(habit, week) >= habit["target_minutes"]:
                week_streak += 1
                week -= timedelta(days=7)
        # success rate
        rate = None
        if habit["target_minutes"] and first and max(start, first) <= min(end, today):
            counted_from, counted_to = max(start, first), min(end, today)
            if weekly:
                weeks = sorted({week_of(day, week_start) for day in days(counted_from, counted_to)})
                met = sum(week_minutes(habit, week) >= habit["target_minutes"] for week in weeks)
                rate = met / len(weeks)
            else:
                counted = days(counted_from, counted_to)
                rate = sum(done(habit, day) for day in counted) / len(counted)
        # strength score, from the first log with no window
        score = 0.0
        if first:
            f = 1 / 7 if weekly else 1
            m = 0.5 ** (f**0.5 / 13)
            for day in days(first, today):
                if weekly:
                    recent = sum(on(habit["id"], day - timedelta(days=n)) for n in range(7))
                    value = min(1, recent / habit["target_minutes"])
                elif habit["target_minutes"]:
                    value = min(1, on(habit["id"], day) / habit["target_minutes"])
                else:
                    value = 1 if on(habit["id"], day) else 0
                score = score * m + value * (1 - m)
        rows.append(
            {
                **habit,
                "minutes": sum(on(habit["id"], day) for day in range_days),
                "days_logged": len(range_days),
                "target_success_rate": rate,
                "current_streak": current,
                "longest_streak": longest,
                "week_streak": week_streak,
                "score": score * 100,
            }
        )
    expected["habits"] = rows
    categories = {}
    for row in rows:
        categories[row["category"]] = categories.get(row["category"], 0) + row["minutes"]
    expected["categories"] = [
        {"category": name, "minutes": value}
        for name, value in sorted(categories.items(), key=lambda item: (-item[1], item[0]))
        if value
    ]
    weekday_totals = [0] * 7
    weekday_counts = [0] * 7
    for day, value in in_range.items():
        weekday_totals[day.weekday()] += value
        weekday_counts[day.weekday()] += 1
    expected["weekdays"] = [
        {
            "weekday": n,
            "minutes": weekday_totals[n],
            "average": round(weekday_totals[n] / weekday_counts[n], 1) if weekday_counts[n] else 0,
        }
        for n in range(7)
    ]
    if length <= 92:
        bucket, key = "day", lambda day: day
    elif length <= 731:
        bucket, key = "week", lambda day: week_of(day, week_start)
    else:
        bucket, key = "month", lambda day: day.replace(day=1)
    points = {}
    for day, value in in_range.items():
        points[key(day)] = points.get(key(day), 0) + value
    expected["series"] = {
        "bucket": bucket,
        "points": [{"start": day.isoformat(), "minutes": value} for day, value in points.items()],
    }
    return expected


def compare(actual, expected):
    for key in ("range", "totals", "daily", "categories", "weekdays", "series"):
        assert actual[key] == expected[key], key
    assert len(actual["habits"]) == len(expected["habits"])
    for got, want in zip(actual["habits"], expected["habits"], strict=True):
        for key in ("score", "target_success_rate"):
            if want[key] is None:
                assert got[key] is None, (want["name"], key)
            else:
                assert got[key] == pytest.approx(want[key], abs=0.051 if key == "score" else 1e-4)
        for key, value in want.items():
            if key not in ("score", "target_success_rate"):
                assert got[key] == value, (want["name"], key)


@pytest.mark.parametrize(("seed", "timezone", "week_start", "now", "today"), SCENARIOS)
def test_data_json_agrees_with_the_oracle(
    app, client, make_user, auth, pin_now, seed, timezone, week_start, now, today
):
    user = make_user("alice", timezone=timezone, week_start=week_start)
    auth.login()
    pin_now(now)
    generate(app, user.id, seed, today)
    with app.app_context():
        raw = db.session.execute(
            select(HabitLog.habit_id, HabitLog.date, HabitLog.minutes).where(
                HabitLog.user_id == user.id
            )
        ).all()
        habits = [
            {
                "id": habit.id,
                "name": habit.name,
                "category": habit.category,
                "archived": habit.archived,
                "target_minutes": habit.target_minutes,
                "target_period": habit.target_period,
            }
            for habit in db.session.scalars(
                select(Habit).where(Habit.user_id == user.id).order_by(Habit.name)
            )
        ]
        first_log = min(day for _habit, day, _minutes in raw)
    all_ids = {habit["id"] for habit in habits}
    year_boundary = (date(today.year - 1, 12, 20), date(today.year, 1, 10))
    cases = [
        ("", today - timedelta(days=29), today, all_ids),
        ("?range=7d", today - timedelta(days=6), today, all_ids),
        ("?range=90d", today - timedelta(days=89), today, all_ids),
        ("?range=365d", today - timedelta(days=364), today, all_ids),
        ("?range=all", first_log, today, all_ids),
        (f"?start={year_boundary[0]}&end={year_boundary[1]}", *year_boundary, all_ids),
        ("?start=2024-02-20&end=2024-03-02", date(2024, 2, 20), date(2024, 3, 2), all_ids),
        (f"?start=2019-01-01&end={today}", date(2019, 1, 1), today, all_ids),
        ("?range=365d&category=Mind", today - timedelta(days=364), today, set()),
    ]
    mind = {habit["id"] for habit in habits if habit["category"] == "Mind"}
    cases[-1] = (*cases[-1][:3], mind)
    reading = next(habit["id"] for habit in habits if habit["name"] == "Reading")
    cases.append((f"?range=90d&habit_id={reading}", today - timedelta(days=89), today, {reading}))
    for query, start, end, chosen in cases:
        response = client.get(f"/analytics/data.json{query}")
        assert response.status_code == 200, query
        expected = oracle(raw, habits, week_start, today, start, end, chosen)
        compare(response.get_json(), expected)
