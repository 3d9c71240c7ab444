"""Timer arithmetic: days cut at the zone's midnights (23- and 25-hour days included), whole
minutes that add up, and the start times people type. Expected numbers are counted by hand
from the zone's clock changes, not by the code under test."""

from datetime import UTC, date, datetime, timedelta

import pytest

from httracker.changes import RuleBroken
from httracker.timer.clock import (
    check_started,
    minutes_by_day,
    parse_started,
    seconds_by_day,
    whole_minutes,
)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2)])
def test_whole_minutes_round_half_a_minute_up(seconds, minutes):
    assert whole_minutes(seconds) == minutes


def test_a_timer_across_midnight_in_utc():
    days = seconds_by_day(utc(2026, 3, 9, 23, 50), utc(2026, 3, 10, 0, 20), "UTC")
    assert days == [(date(2026, 3, 9), 600), (date(2026, 3, 10), 1200)]


def test_the_same_moments_split_differently_in_two_time_zones():
    start, end = utc(2026, 3, 10, 3, 30), utc(2026, 3, 10, 6, 30)
    assert minutes_by_day(seconds_by_day(start, end, "UTC")) == [(date(2026, 3, 10), 180)]
    # New York is on daylight time (UTC-4) since 8 March: 23:30 to 02:30 local.
    assert minutes_by_day(seconds_by_day(start, end, "America/New_York")) == [
        (date(2026, 3, 9), 30),
        (date(2026, 3, 10), 150),
    ]
    # Kolkata (UTC+5:30): 09:00 to 12:00 on the 10th.
    assert minutes_by_day(seconds_by_day(start, end, "Asia/Kolkata")) == [(date(2026, 3, 10), 180)]


def test_the_spring_day_in_berlin_has_23_hours():
    # Sat 28 Mar 22:00 CET (21:00 UTC) to Mon 30 Mar 01:00 CEST (Sun 23:00 UTC): 26 hours.
    days = minutes_by_day(
        seconds_by_day(utc(2026, 3, 28, 21), utc(2026, 3, 29, 23), "Europe/Berlin")
    )
    assert days == [(date(2026, 3, 28), 120), (date(2026, 3, 29), 23 * 60), (date(2026, 3, 30), 60)]
    assert sum(minutes for _, minutes in days) == 26 * 60


def test_the_autumn_day_in_berlin_has_25_hours():
    # Sat 24 Oct 23:00 CEST (21:00 UTC) to Mon 26 Oct 00:30 CET (Sun 23:30 UTC): 26.5 hours.
    days = minutes_by_day(
        seconds_by_day(utc(2026, 10, 24, 21), utc(2026, 10, 25, 23, 30), "Europe/Berlin")
    )
    assert days == [
        (date(2026, 10, 24), 60),
        (date(2026, 10, 25), 25 * 60),
        (date(2026, 10, 26), 30),
    ]


def test_minutes_per_day_add_up_to_the_rounded_total():
    d1, d2, d3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
    # 20 s either side of midnight: 40 s in all, one minute, on the day it reached 30 s.
    assert minutes_by_day([(d1, 20), (d2, 20)]) == [(d2, 1)]
    # 90 s + 89 s = 179 s = 3 minutes: 2 on the first day, 1 on the second.
    assert minutes_by_day([(d1, 90), (d2, 89)]) == [(d1, 2), (d2, 1)]
    # 29.5 + 29.5 + 29.5 minutes = 88.5 = 89 minutes in all.
    split = minutes_by_day([(d1, 1770), (d2, 1770), (d3, 1770)])
    assert sum(minutes for _, minutes in split) == 89
    assert [minutes for _, minutes in split] == [30, 29, 30]


NOW = utc(2026, 11, 28, 15, 0)  # 16:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NOW),
        ("now", NOW),
        ("10", NOW - timedelta(minutes=10)),
        ("10m", NOW - timedelta(minutes=10)),
        ("10 min ago", NOW - timedelta(minutes=10)),
        ("1h30 ago", NOW - timedelta(minutes=90)),
        ("1:30 ago", NOW - timedelta(minutes=90)),
        ("2h", NOW - timedelta(hours=2)),
        ("14:05", utc(2026, 11, 28, 13, 5)),
        ("0:00", utc(2026, 11, 27, 23, 0)),
    ],
)
def test_started_as_people_type_it(text, expected):
    assert parse_started(text, NOW, "Europe/Berlin") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "Say when you started"),
        ("25:00", "Say when you started"),
        ("1441", "at most 24 hours ago"),
        ("30h ago", "at most 24 hours ago"),
    ],
)
def test_started_that_cannot_be_read_is_refused(text, message):
    with pytest.raises(RuleBroken) as refused:
        parse_started(text, NOW, "Europe/Berlin")
    assert refused.value.field == "started" and message in refused.value.message


def test_a_start_in_the_future_or_over_a_day_back_is_refused():
    check_started(NOW - timedelta(hours=24), NOW)
    with pytest.raises(RuleBroken, match="still to come"):
        check_started(parse_started("16:30", NOW, "Europe/Berlin"), NOW)
    with pytest.raises(RuleBroken, match="at most 24 hours ago"):
        check_started(NOW - timedelta(hours=24, seconds=1), NOW)
