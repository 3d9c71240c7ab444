"""Pure metrics over per-day sums: scores, streak runs, success rates, buckets."""

from datetime import date, timedelta

import pytest

from httracker.analytics import metrics
from httracker.models import Habit

TODAY = date(2024, 3, 5)


def target(minutes, period):
    """A habit with this target, for the metrics that ask a habit for its target rule."""
    return Habit(target_minutes=minutes, target_period=period)


def test_smoothing_matches_the_definition():
    assert metrics.smoothing(target(None, "day")) == pytest.approx(0.5 ** (1 / 13))
    assert metrics.smoothing(target(30, "day")) == pytest.approx(0.5 ** (1 / 13))
    assert metrics.smoothing(target(120, "week")) == pytest.approx(0.5 ** ((1 / 7) ** 0.5 / 13))


def test_score_halves_after_thirteen_idle_days():
    first = TODAY - timedelta(days=99)
    logged = {first + timedelta(days=n): 10 for n in range(100)}
    before, _ = metrics.score_history(logged, first, TODAY, target(None, "day"))
    after, _ = metrics.score_history(logged, first, TODAY + timedelta(days=13), target(None, "day"))
    assert after == pytest.approx(before / 2)


def test_score_first_day_and_partial_target():
    # One day at half the daily target: s = 0.5 * (1 - m).
    score, _ = metrics.score_history({TODAY: 15}, TODAY, TODAY, target(30, "day"))
    assert score == pytest.approx(100 * 0.5 * (1 - 0.5 ** (1 / 13)))
    assert metrics.score_history({}, None, TODAY, target(30, "day")) == (0.0, [])


def test_weekly_score_uses_the_last_seven_days():
    m = metrics.smoothing(target(70, "week"))
    first = TODAY - timedelta(days=9)
    logged = {first: 70}
    score, history = metrics.score_history(logged, first, TODAY, target(70, "week"), keep_days=10)
    # The log counts fully for seven days (v = 1), then drops out of the window (v = 0).
    expected = 0.0
    for value in [1] * 7 + [0] * 3:
        expected = expected * m + value * (1 - m)
    assert score == pytest.approx(100 * expected)
    assert [day for day, _value in history] == [first + timedelta(days=n) for n in range(10)]


def test_score_window_is_negligible_for_old_history():
    first = TODAY - timedelta(days=3000)
    logged = {first + timedelta(days=n): 30 for n in range(3001)}
    score, _ = metrics.score_history(logged, first, TODAY, target(30, "week"))
    assert score == pytest.approx(100, abs=1e-4)


def test_current_streak_ends_today_or_yesterday():
    runs = [(date(2024, 3, 1), TODAY - timedelta(days=1), 4)]
    assert metrics.current_streak(runs, TODAY) == 4
    assert metrics.current_streak(runs, TODAY + timedelta(days=1)) == 0
    assert metrics.current_week_streak([(10, 12, 3)], 13) == 3
    assert metrics.current_week_streak([(10, 12, 3)], 12) == 3
    assert metrics.current_week_streak([(10, 12, 3)], 14) == 0


def test_best_runs_are_longest_then_latest():
    runs = [
        (date(2024, 1, 1), date(2024, 1, 3), 3),
        (date(2024, 2, 1), date(2024, 2, 3), 3),
        (date(2024, 1, 10), date(2024, 1, 20), 11),
    ]
    best = metrics.best_runs(runs, 2)
    assert [run[2] for run in best] == [11, 3]
    assert best[1][0] == date(2024, 2, 1)


def test_counted_days_start_at_the_first_log_and_stop_today():
    start, end = date(2024, 3, 1), date(2024, 3, 31)
    assert metrics.counted_days(start, end, date(2024, 3, 3), TODAY) == 3
    assert metrics.counted_days(start, end, None, TODAY) == 0
    assert metrics.counted_days(start, end, date(2024, 4, 1), TODAY) == 0
    assert metrics.success_rate(1, 3) == pytest.approx(0.3333)
    assert metrics.success_rate(0, 0) is None


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
