"""Pure metrics over per-day sums: buckets, series, weekdays and headline totals."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from httracker.analytics import metrics

TODAY = date(2024, 3, 5)


@pytest.mark.parametrize(
    ("start", "end", "bucket"),
    [
        (date(2024, 1, 1), date(2024, 4, 1), "day"),  # 92 days
        (date(2024, 1, 1), date(2024, 4, 2), "week"),
        (date(2023, 1, 1), date(2024, 12, 31), "week"),  # 731 days
        (date(2023, 1, 1), date(2025, 1, 1), "month"),
    ],
)
def test_bucket_for_range_length(start, end, bucket):
    assert metrics.bucket_for(start, end) == bucket


def test_series_zero_fills_and_starts_buckets_on_the_week_start():
    daily = {date(2024, 3, 3): 10, date(2024, 3, 4): 5}  # a Sunday and a Monday
    monday = metrics.series(daily, date(2024, 3, 1), date(2024, 3, 10), "week", "monday")
    assert monday == [
        {"start": date(2024, 2, 26), "minutes": 10},
        {"start": date(2024, 3, 4), "minutes": 5},
    ]
    sunday = metrics.series(daily, date(2024, 3, 1), date(2024, 3, 10), "week", "sunday")
    assert sunday == [
        {"start": date(2024, 2, 25), "minutes": 0},
        {"start": date(2024, 3, 3), "minutes": 15},
        {"start": date(2024, 3, 10), "minutes": 0},
    ]


def test_headline_best_day_prefers_the_earliest_tie():
    daily = {date(2024, 3, 2): 30, date(2024, 3, 4): 30, date(2024, 3, 3): 10}
    totals = metrics.headline(daily, date(2024, 3, 1), date(2024, 3, 4), 7)
    assert totals["best_day"] == {"date": date(2024, 3, 2), "minutes": 30}
    assert totals["active_days"] == 3
    assert totals["average_per_day"] == 17.5
    assert totals["average_per_active_day"] == pytest.approx(23.3)
    assert totals["previous_period_minutes"] == 7


@given(
    start=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    length=st.integers(1, 1500),
    logged=st.dictionaries(st.integers(-40, 1540), st.integers(1, 1440), max_size=60),
    week_start=st.sampled_from(["monday", "sunday"]),
)
@settings(max_examples=200, deadline=None)
def test_series_and_weekdays_equal_a_day_by_day_count(start, length, logged, week_start):
    end = start + timedelta(days=length - 1)
    # Days on either side of the range are in the mapping too, as the stacked chart passes it.
    daily = {start + timedelta(days=offset): minutes for offset, minutes in logged.items()}
    bucket = metrics.bucket_for(start, end)
    points: dict[date, int] = {}
    totals, counts = [0] * 7, [0] * 7
    day = start
    while day <= end:
        key = metrics.bucket_start(day, bucket, week_start)
        points[key] = points.get(key, 0) + daily.get(day, 0)
        totals[day.weekday()] += daily.get(day, 0)
        counts[day.weekday()] += 1
        day += timedelta(days=1)
    expected = [{"start": key, "minutes": minutes} for key, minutes in points.items()]
    assert metrics.series(daily, start, end, bucket, week_start) == expected
    assert [(row["minutes"], row["average"]) for row in metrics.weekdays(daily, start, end)] == [
        (totals[w], round(totals[w] / counts[w], 1) if counts[w] else 0.0) for w in range(7)
    ]


BASE = date(2026, 1, 1)
offsets = st.integers(0, 60)


@given(
    lows=st.dictionaries(st.integers(1, 4), st.one_of(st.none(), offsets), min_size=1),
    also=st.lists(st.tuples(offsets, offsets), max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_history_windows_cover_each_habits_days_once(lows, also):
    """The windows the analytics read: per habit, disjoint, and together exactly its days."""
    from httracker.analytics.queries import _windows

    day = lambda offset: BASE + timedelta(days=offset)  # noqa: E731
    spans = [(day(a), day(b)) for a, b in also]
    windows = _windows({h: None if low is None else day(low) for h, low in lows.items()}, spans)
    universe = [day(offset) for offset in range(-5, 70)]
    for habit, low in lows.items():
        wanted = {
            d
            for d in universe
            if low is None or d >= day(low) or any(a <= d <= b for a, b in spans)
        }
        covered = [
            d
            for ids, start, end in windows
            if habit in ids
            for d in universe
            if (start is None or d >= start) and (end is None or d <= end)
        ]
        assert sorted(covered) == sorted(wanted)  # each day once: the windows are disjoint
