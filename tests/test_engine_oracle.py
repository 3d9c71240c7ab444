"""The analytics engine against the brute-force reference, on random histories of every kind,
period and direction, with skips."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from httracker.analytics import engine
from httracker.models import Habit

from .oracle import Reference

TODAY = date(2024, 3, 13)
SPAN = 70  # days of history before today


@st.composite
def habits(draw):
    kind = draw(st.sampled_from(["time", "check"]))
    period = draw(st.sampled_from(["day", "week"]))
    if kind == "check":
        times = 1 if period == "day" else draw(st.integers(1, 7))
        return {
            "kind": kind,
            "target_period": period,
            "target_direction": "at_least",
            "target_minutes": None,
            "target_times": times,
        }
    direction = draw(st.sampled_from(["at_least", "at_most"]))
    limit = 1440 if period == "day" else 10080
    minutes = draw(st.integers(1, 120) | st.integers(1, limit))
    if direction == "at_least" and draw(st.booleans()) and draw(st.booleans()):
        minutes = None  # no target at all
    return {
        "kind": kind,
        "target_period": period,
        "target_direction": direction,
        "target_minutes": minutes,
        "target_times": None,
    }


days_back = st.integers(0, SPAN)
# Future skips are allowed: a planned break may reach past today.
skip_days = st.integers(-10, SPAN)


@st.composite
def histories(draw):
    logged = draw(st.dictionaries(days_back, st.integers(1, 200), max_size=50))
    checked = draw(st.sets(days_back, max_size=50))
    skipped = draw(st.sets(skip_days, max_size=25))
    created = draw(st.integers(0, SPAN + 5))

    def day(back):
        return TODAY - timedelta(days=back)

    return (
        {day(back): minutes for back, minutes in logged.items()},
        {day(back) for back in checked},
        {day(back) for back in skipped},
        day(created),
    )


@settings(max_examples=300, deadline=None)
@given(
    habits(),
    histories(),
    st.sampled_from(["monday", "sunday"]),
    st.integers(0, SPAN),
    st.integers(0, SPAN),
)
def test_every_number_matches_the_reference(habit, history, week_start, back_a, back_b):
    minutes, checks, skips, created = history
    rule = Habit(**habit).rule
    facts = engine.History(minutes, frozenset(checks), frozenset(skips))
    begin = engine.first_counted_day(rule, facts, created)
    walked = engine.walk(rule, facts, begin, TODAY, week_start)
    reference = Reference(habit, minutes, checks, skips, created, TODAY, week_start)

    assert begin == reference.begin
    assert engine.current_streak(walked) == reference.current_streak()
    best = engine.best_runs(walked)
    assert [(run.first, run.last, run.length) for run in best] == reference.best_runs()
    assert engine.week_streak(walked) == reference.week_streak()
    score, _history = engine.score_history(walked)
    assert score == pytest.approx(reference.score(), abs=1e-6)

    start = TODAY - timedelta(days=max(back_a, back_b))
    end = TODAY - timedelta(days=min(back_a, back_b))
    counts = engine.range_counts(walked, start, end)
    expected_rate = reference.success_rate(start, end)
    rate = counts.success_rate(rule)
    if expected_rate is None:
        assert rate is None
    else:
        assert rate == pytest.approx(expected_rate, abs=1e-4)
    assert counts.skipped_days == reference.skipped_days(start, end)
