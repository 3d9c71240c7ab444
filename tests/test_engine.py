"""The analytics engine on small hand-made histories: the score's definition, streaks with
skipped days, weeks with excused days, limits."""

from datetime import date, timedelta

import pytest

from httracker.analytics import engine
from httracker.models import Habit

TODAY = date(2024, 3, 5)  # a Tuesday


def walk(habit: Habit, minutes=None, checks=(), skips=(), today=TODAY, created=None):
    rule = habit.rule
    history = engine.History(minutes or {}, frozenset(checks), frozenset(skips))
    begin = engine.first_counted_day(rule, history, created)
    return engine.walk(rule, history, begin, today, "monday")


def timed(minutes=None, period="day", direction="at_least"):
    return Habit(target_minutes=minutes, target_period=period, target_direction=direction)


def checked(period="day", times=1):
    return Habit(kind="check", target_period=period, target_times=times)


def test_smoothing_matches_the_definition():
    assert timed().rule.smoothing == pytest.approx(0.5 ** (1 / 13))
    assert timed(30).rule.smoothing == pytest.approx(0.5 ** (1 / 13))
    assert timed(120, "week").rule.smoothing == pytest.approx(0.5 ** ((1 / 7) ** 0.5 / 13))
    assert checked("week", 3).rule.smoothing == pytest.approx(0.5 ** ((3 / 7) ** 0.5 / 13))


def test_score_halves_after_thirteen_idle_days():
    first = TODAY - timedelta(days=99)
    logged = {first + timedelta(days=n): 10 for n in range(100)}
    before, _ = engine.score_history(walk(timed(), logged))
    after, _ = engine.score_history(walk(timed(), logged, today=TODAY + timedelta(days=13)))
    assert after == pytest.approx(before / 2)


def test_skipped_days_freeze_the_score():
    first = TODAY - timedelta(days=99)
    logged = {first + timedelta(days=n): 10 for n in range(100)}
    later = TODAY + timedelta(days=13)
    away = {TODAY + timedelta(days=n) for n in range(1, 14)}
    before, _ = engine.score_history(walk(timed(), logged))
    frozen, _ = engine.score_history(walk(timed(), logged, skips=away, today=later))
    assert frozen == pytest.approx(before)


def test_score_first_day_and_partial_target():
    score, _ = engine.score_history(walk(timed(30), {TODAY: 15}))
    assert score == pytest.approx(100 * 0.5 * (1 - 0.5 ** (1 / 13)))
    assert engine.score_history(walk(timed(30))) == (0.0, [])


def test_weekly_score_uses_the_last_seven_days():
    habit = timed(70, "week")
    m = habit.rule.smoothing
    first = TODAY - timedelta(days=9)
    score, history = engine.score_history(walk(habit, {first: 70}), keep_days=10)
    expected = 0.0
    for value in [1] * 7 + [0] * 3:
        expected = expected * m + value * (1 - m)
    assert score == pytest.approx(100 * expected)
    assert [day for day, _value in history] == [first + timedelta(days=n) for n in range(10)]


def test_score_window_is_negligible_for_old_history():
    first = TODAY - timedelta(days=3000)
    logged = {first + timedelta(days=n): 30 for n in range(3001)}
    score, _ = engine.score_history(walk(timed(30, "week"), logged))
    assert score == pytest.approx(100, abs=1e-4)


def test_streak_ends_today_or_yesterday_and_skips_are_transparent():
    days = {TODAY - timedelta(days=n): 30 for n in (1, 2, 4, 5)}
    skipped = {TODAY - timedelta(days=3)}
    assert engine.current_streak(walk(timed(30), days)) == 2  # today not done yet
    assert engine.current_streak(walk(timed(30), days, skips=skipped)) == 4
    best = engine.best_runs(walk(timed(30), days, skips=skipped))
    assert [(run.first, run.last, run.length) for run in best] == [
        (TODAY - timedelta(days=5), TODAY - timedelta(days=1), 4)
    ]


def test_a_limit_counts_days_without_logs_from_the_day_it_was_made():
    created = TODAY - timedelta(days=9)
    over = {TODAY - timedelta(days=3): 90}
    walked = walk(timed(60, direction="at_most"), over, created=created)
    assert engine.current_streak(walked) == 3  # today, and the two days since going over
    assert engine.best_runs(walked)[0].length == 6
    counts = engine.range_counts(walked, created, TODAY)
    assert (counts.counted_days, counts.done_days) == (10, 9)


def test_a_week_with_excused_days_needs_less_and_a_fully_excused_week_is_neither():
    habit = checked("week", 3)
    monday = TODAY - timedelta(days=1)
    last_week = monday - timedelta(days=7)
    away = {last_week + timedelta(days=n) for n in range(4)}  # ⌈3·3/7⌉ = 2 needed
    walked = walk(
        habit, checks={last_week + timedelta(days=5), last_week + timedelta(days=6)}, skips=away
    )
    assert engine.week_result(walked, last_week) is True
    gone = {last_week + timedelta(days=n) for n in range(7)}
    walked = walk(habit, checks={last_week - timedelta(days=1)}, skips=gone)
    assert engine.week_result(walked, last_week) is None
