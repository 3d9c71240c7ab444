"""Streaks, strength scores and success rates of one habit, walked day by day over its history.

Pure Python over per-day facts (minutes, checks, excused days) and the habit's `Rule`: every
rule lives in rules.py, and this module only walks the calendar. A day is one of DONE, MISSED
or SKIPPED (excused and not done); skipped days are transparent to streaks, freeze the score and
leave the success rate's denominator."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..rules import DAYS_PER_WEEK, Rule
from ..timeutil import week_start_of

DAY = timedelta(days=1)
WEEK = timedelta(days=DAYS_PER_WEEK)
# Day states, one character each, so a history is a string that C code counts and splits.
DONE, MISSED, SKIPPED = "D", "M", "S"
BEST_RUNS = 5
RUN = re.compile(f"[{DONE}{SKIPPED}]+")


@dataclass(frozen=True)
class History:
    """One habit's facts per day: minutes logged, days checked, days excused (skips and breaks)."""

    minutes: Mapping[date, int] = field(default_factory=dict)
    checks: frozenset[date] = frozenset()
    skips: frozenset[date] = frozenset()

    def activity_days(self, rule: Rule) -> Iterable[date]:
        """The days that hold the habit's own kind of entry."""
        return self.checks if rule.is_check else self.minutes.keys()


@dataclass(frozen=True)
class Run:
    """A run of done days: its first and last done day and how many done days it holds."""

    first: date
    last: date
    length: int


@dataclass(frozen=True)
class Walk:
    """The day states of a habit from its first counted day to today, and what follows."""

    rule: Rule
    history: History
    begin: date | None
    today: date
    week_start: str
    states: str = ""

    def skipped_days(self) -> frozenset[date]:
        """The days excused and not done, from `begin` to today."""
        return frozenset(
            self.begin + timedelta(days=offset)
            for offset, state in enumerate(self.states)
            if state == SKIPPED
        )

    def state(self, day: date) -> str | None:
        """DONE, MISSED or SKIPPED for a day from `begin` to today, else None."""
        if self.begin is None or not self.begin <= day <= self.today:
            return None
        return self.states[(day - self.begin).days]


def first_counted_day(rule: Rule, history: History, created: date | None) -> date | None:
    """The day counting starts: the first entry; for a limit also the day the habit was made,
    since a limit is kept on days without logs."""
    days = list(history.activity_days(rule))
    first = min(days, default=None)
    if rule.limit and created is not None:
        return min(created, first) if first else created
    return first


def walk(
    rule: Rule,
    history: History,
    begin: date | None,
    today: date,
    week_start: str,
) -> Walk:
    """Every day's state from `begin` to today. Only days holding an entry or an excuse are
    visited: every other day has the state of a day with nothing logged."""
    if begin is None or begin > today:
        return Walk(rule, history, None, today, week_start)
    minutes, checks, skips = history.minutes, history.checks, history.skips
    states = bytearray(
        (DONE if rule.day_done(0, False) else MISSED).encode() * ((today - begin).days + 1)
    )
    done_code, missed_code, skipped_code = ord(DONE), ord(MISSED), ord(SKIPPED)
    weekly_limit = rule.limit and rule.weekly
    week_of, week_before = None, 0
    entries = history.activity_days(rule)
    for day in sorted(day for day in entries if begin <= day <= today):
        if weekly_limit and week_start_of(day, week_start) != week_of:
            week_of, week_before = week_start_of(day, week_start), 0
        spent, offset = minutes.get(day, 0), (day - begin).days
        if rule.day_done(spent, day in checks, week_before if weekly_limit else 0):
            states[offset] = done_code
        elif day in skips:
            states[offset] = skipped_code
            continue  # excused: its minutes do not count against a weekly limit
        else:
            states[offset] = missed_code
        week_before += spent
        if weekly_limit and not rule.day_done(0, False, week_before):
            # Over the week's limit: the rest of the week is missed, whatever it holds.
            rest_end = min((week_of - begin).days + DAYS_PER_WEEK, len(states))
            states[offset + 1 : rest_end] = MISSED.encode() * max(0, rest_end - offset - 1)
    for day in skips:
        # A skipped day without an entry is excused, whatever a day without entries would be
        # (a limit's empty day is kept, but a day off does not extend its streak either).
        if begin <= day <= today and day not in entries:
            states[(day - begin).days] = skipped_code
    return Walk(rule, history, begin, today, week_start, states.decode())


def best_runs(walked: Walk, count: int = BEST_RUNS) -> list[Run]:
    """The longest runs of done days, longest first and the most recent first among equals;
    skipped days neither break nor extend a run."""
    ranked = []
    for stretch in RUN.finditer(walked.states):
        text = stretch.group()
        length = text.count(DONE)
        if length:
            ranked.append(
                (length, stretch.start() + text.rfind(DONE), stretch.start() + text.find(DONE))
            )
    ranked.sort(reverse=True)
    return [
        Run(walked.begin + timedelta(days=first), walked.begin + timedelta(days=last), length)
        for length, last, first in ranked[:count]
    ]


def current_streak(walked: Walk) -> int:
    """Done days in the run open today, or yesterday when today is not done (yet)."""
    states = walked.states
    if states.endswith(MISSED):
        states = states[:-1]  # today is still open
    return states[states.rfind(MISSED) + 1 :].count(DONE)


def week_result(walked: Walk, week: date) -> bool | None:
    """Whether the week starting on `week` met a weekly target (None: fully excused)."""
    rule, history = walked.rule, walked.history
    counted = skipped = week_before = 0
    for offset in range(DAYS_PER_WEEK):
        day = week + timedelta(days=offset)
        spent = history.minutes.get(day, 0)
        checked = day in history.checks
        entry = checked if rule.is_check else spent > 0
        if day in history.skips and not (entry and rule.day_done(spent, checked, week_before)):
            skipped += 1
            continue
        counted += int(checked) if rule.is_check else spent
        week_before += spent
    return rule.week_met(counted, skipped)


def week_streak(walked: Walk) -> int | None:
    """Met weeks in a row up to this week, or last week while this one is not met yet; fully
    excused weeks are transparent. None for a habit without a weekly target."""
    if not walked.rule.weekly:
        return None
    if walked.begin is None:
        return 0
    week = week_start_of(walked.today, walked.week_start)
    first_week = week_start_of(walked.begin, walked.week_start)
    if week_result(walked, week) is False:
        week -= WEEK
    length = 0
    while week >= first_week:
        result = week_result(walked, week)
        if result is False:
            break
        length += bool(result)
        week -= WEEK
    return length


def score_history(walked: Walk, keep_days: int = 0) -> tuple[float, list[tuple[date, float]]]:
    """The strength score (0–100) as of today, and its value on each of the last `keep_days`
    days. Skipped days keep the score where it was."""
    if walked.begin is None:
        return 0.0, []
    rule, history = walked.rule, walked.history
    m = rule.smoothing
    day = max(walked.begin, walked.today - timedelta(days=rule.score_window))

    def amount(on: date) -> int:
        return int(on in history.checks) if rule.is_check else history.minutes.get(on, 0)

    window = sum(amount(day - timedelta(days=back)) for back in range(DAYS_PER_WEEK))
    keep_from = walked.today - timedelta(days=keep_days - 1)
    score, kept = 0.0, []
    while day <= walked.today:
        state = walked.state(day)
        if state != SKIPPED:
            value = rule.score_value(
                history.minutes.get(day, 0), day in history.checks, window, state == DONE
            )
            score = score * m + value * (1 - m)
        if keep_days and day >= keep_from:
            kept.append((day, score * 100))
        day += DAY
        window += amount(day) - amount(day - WEEK)
    return score * 100, kept


@dataclass(frozen=True)
class RangeCounts:
    """What a date range holds for one habit: counted, done and skipped days, and weeks."""

    counted_days: int
    done_days: int
    skipped_days: int
    counted_weeks: int
    met_weeks: int

    def success_rate(self, rule: Rule) -> float | None:
        """Share of the counted periods that met the target (None when none counts or the
        habit has no target)."""
        if not rule.has_target:
            return None
        if rule.weekly:
            met, counted = self.met_weeks, self.counted_weeks
        else:
            met, counted = self.done_days, self.counted_days - self.skipped_days
        return round(met / counted, 4) if counted > 0 else None


def range_counts(walked: Walk, start: date, end: date) -> RangeCounts:
    """Counted, done and skipped days from the first counted day (within the range) to today,
    and the weeks overlapping that span that met a weekly target (fully excused weeks left out)."""
    if walked.begin is None:
        return RangeCounts(0, 0, 0, 0, 0)
    first, last = max(start, walked.begin), min(end, walked.today)
    if first > last:
        return RangeCounts(0, 0, 0, 0, 0)
    span = walked.states[(first - walked.begin).days : (last - walked.begin).days + 1]
    done, skipped = span.count(DONE), span.count(SKIPPED)
    weeks = met = 0
    if walked.rule.weekly:
        week = week_start_of(first, walked.week_start)
        while week <= last:
            result = week_result(walked, week)
            weeks += result is not None
            met += bool(result)
            week += WEEK
    return RangeCounts((last - first).days + 1, done, skipped, weeks, met)
