"""Durations typed by people."""

import pytest

from httracker.durations import DurationError, format_hmm, format_minutes, parse_minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("1:30", 90),
        ("1h30", 90),
        ("1h 30m", 90),
        ("45m", 45),
        ("2h", 120),
        (" 2H ", 120),
        ("0:05", 5),
        ("1h5", 65),
        ("1440", 1440),
        ("24h", 1440),
        ("1.5h", 90),
        ("1,5 h", 90),
        (".25h", 15),
        ("2 hours", 120),
        ("1 hour 30 minutes", 90),
        ("90 min", 90),
        ("1 h", 60),
        ("2 hrs", 120),
    ],
)
def test_accepted_forms(text, minutes):
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "1.5",
        "1.5m",
        "1..5h",
        "-5",
        "-1h",
        "1:75",
        "1:5",
        "h",
        "1h 90m",
        "90s",
        "1 h 30 m x",
        "2 days",
        None,
    ],
)
def test_rejected_forms_name_the_accepted_ones(text):
    with pytest.raises(DurationError, match="1:30, 1h30, 1h 30m, 45m, 1.5h or 2 hours"):
        parse_minutes(text)


@pytest.mark.parametrize(
    ("minutes", "text", "hmm"),
    [(0, "0m", "0:00"), (45, "45m", "0:45"), (60, "1h", "1:00"), (90, "1h 30m", "1:30")],
)
def test_formatting(minutes, text, hmm):
    assert format_minutes(minutes) == text
    assert format_hmm(minutes) == hmm
