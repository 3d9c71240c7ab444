"""A habit's walk resumed from a checkpoint: what its past adds up to at a day's end (a
`Snapshot`), carried forward day by day over only the days after it.

Pure Python over the engine's day states (engine.py decides every state; rules.py every rule).
A day's state depends on its own facts and the earlier days of its week, a week's result on its
seven days, the score on the days before, so a snapshot at a month's end plus the facts from a
week before it are all a walk needs to continue exactly where a walk from the first day would be.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ..rules import DAYS_PER_WEEK, Rule
from ..timeutil import week_start_of
from . import engine
from .engine import DONE, MISSED, SKIPPED, History

DAY = timedelta(days=1)
WEEK = timedelta(days=DAYS_PER_WEEK)
# (first done day, last done day, done days)
RunTuple = tuple[date, date, int]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(day: date) -> date:
    return next_month(day) - DAY


def rank(runs) -> list[RunTuple]:
    """Longest first, the most recent first among equals (engine.best_runs' order)."""
    return sorted(runs, key=lambda run: (run[2], run[1], run[0]), reverse=True)[: engine.BEST_RUNS]


@dataclass(frozen=True)
class Snapshot:
    """A habit's state at the end of `end` (None: before anything). `first_day` is the first
    counted day when it is not after `end`; `best` the longest runs closed by a missed day;
    `open` the run still open (None when it holds no done day); `week_run` the met weeks in a
    row up to the last week ending by `end`."""

    end: date | None = None
    first_day: date | None = None
    score: float = 0.0
    week_run: int = 0
    best: tuple[RunTuple, ...] = ()
    open: RunTuple | None = None

    def encode_runs(self) -> str:
        runs = [*self.best, self.open]
        return " ".join(
            "-" if run is None else f"{run[0].toordinal()}:{run[1].toordinal()}:{run[2]}"
            for run in runs
        )

    @staticmethod
    def decode_runs(text: str) -> tuple[tuple[RunTuple, ...], RunTuple | None]:
        runs = []
        for part in text.split():
            if part == "-":
                runs.append(None)
            else:
                first, last, length = (int(number) for number in part.split(":"))
                runs.append((date.fromordinal(first), date.fromordinal(last), length))
        return tuple(runs[:-1]), runs[-1] if runs else None


@dataclass
class MonthTotals:
    """One month's totals, and the snapshot at its last day."""

    month: date
    minutes: int = 0
    days_logged: int = 0
    checks: int = 0
    done_days: int = 0
    skipped_days: int = 0
    weeks_counted: int = 0
    weeks_met: int = 0
    snapshot: Snapshot = field(default_factory=Snapshot)


@dataclass(frozen=True)
class Carried:
    """The result of a walk carried to `snapshot.end`: the snapshot, the month totals of every
    month it walked (the last one possibly partial), the day states from `states_from`, the
    run open the day before the end, and the score on each kept day."""

    snapshot: Snapshot
    months: list[MonthTotals]
    states_from: date | None
    states: str
    open_before_end: RunTuple | None
    kept: list[tuple[date, float]]


def first_counted_day(rule: Rule, facts: History, created: date | None, snap: Snapshot):
    """The first counted day: known from the snapshot when it is not after the snapshot's end,
    else found among the facts after it (which hold every entry after it)."""
    if snap.first_day is not None:
        return snap.first_day
    return engine.first_counted_day(rule, facts, created)


def _amount(rule: Rule, facts: History, day: date) -> int:
    return int(day in facts.checks) if rule.is_check else facts.minutes.get(day, 0)


def carry(
    rule: Rule,
    facts: History,
    begin: date | None,
    snap: Snapshot,
    end: date,
    week_start: str,
    *,
    keep_from: date | None = None,
) -> Carried:
    """Walk from the day after `snap.end` (or the first counted day) through `end`. `facts` must
    hold every entry from a week before that day on (and, for week totals, six days past `end`)."""
    start = snap.end + DAY if snap.end is not None else begin
    months: dict[date, MonthTotals] = {}
    if snap.end is None:
        # From nothing: every month holding an entry (an entry before the first counted day
        # of another kind still counts in the month's totals).
        entries = [day for day in (*facts.minutes, *facts.checks) if day <= end]
        start = min([*entries, *([start] if start else [])], default=start)
    if start is not None and start <= end:
        month = month_start(start)
        while month <= end:
            months[month] = MonthTotals(month)
            month = next_month(month)
    else:
        months[month_start(end)] = MonthTotals(month_start(end))
    first_month = min(months)
    for day, minutes in facts.minutes.items():
        if first_month <= day <= end:
            totals = months[month_start(day)]
            totals.minutes += minutes
            totals.days_logged += 1
    for day in facts.checks:
        if first_month <= day <= end:
            months[month_start(day)].checks += 1
    for totals in months.values():
        totals.snapshot = replace(snap, end=min(month_end(totals.month), end))
    score, week_run = snap.score, snap.week_run
    best, open_run = list(snap.best), snap.open
    open_before_end = open_run
    states, states_from, kept = "", None, []
    if begin is not None and begin <= end and start is not None and start <= end:
        start = max(start, begin) if snap.end is None else start
        states_from = max(start, begin)
        walk_from = max(begin, week_start_of(states_from, week_start))
        walked = engine.walk(rule, facts, walk_from, end, week_start)
        states = walked.states[(states_from - walk_from).days :]
        results = {}
        if rule.weekly:
            walker = engine.Walk(rule, facts, walk_from, end, week_start)
            week = week_start_of(max(states_from, first_month), week_start)
            week = max(week, week_start_of(begin, week_start))
            while week <= month_end(end):
                results[week] = result = engine.week_result(walker, week)
                # A week counts in the month of its first day, the week of the first counted
                # day in that day's month.
                if month_start(max(week, begin)) in months:
                    totals = months[month_start(max(week, begin))]
                    totals.weeks_counted += result is not None
                    totals.weeks_met += bool(result)
                week += WEEK
        m = rule.smoothing
        window = sum(_amount(rule, facts, states_from - timedelta(days=back)) for back in range(7))
        day = states_from
        # The month of `day`, moved on when the walk passes its last day (not asked per day).
        last_of_month, six_days = day - DAY, timedelta(days=6)
        for state in states:
            if day == end:
                open_before_end = open_run
            if day > last_of_month:
                totals, last_of_month = months[month_start(day)], month_end(day)
            if state == DONE:
                totals.done_days += 1
                open_run = (
                    (day, day, 1) if open_run is None else (open_run[0], day, open_run[2] + 1)
                )
            elif state == MISSED:
                if open_run is not None:
                    best = rank([*best, open_run])
                    open_run = None
            else:
                totals.skipped_days += 1
            if state != SKIPPED:
                value = rule.score_value(
                    facts.minutes.get(day, 0), day in facts.checks, window, state == DONE
                )
                score = score * m + value * (1 - m)
            if keep_from is not None and day >= keep_from:
                kept.append((day, score * 100))
            week_of = day - six_days
            if week_of in results:  # a week ends today
                week_run = 0 if results[week_of] is False else week_run + bool(results[week_of])
            if day in (end, last_of_month):
                totals.snapshot = Snapshot(
                    end=day,
                    first_day=begin,
                    score=score,
                    week_run=week_run,
                    best=tuple(rank(best)),
                    open=open_run,
                )
            day += DAY
            window += _amount(rule, facts, day) - _amount(rule, facts, day - WEEK)
    rows = sorted(months.values(), key=lambda totals: totals.month)
    return Carried(rows[-1].snapshot, rows, states_from, states, open_before_end, kept)


def week_streak(
    rule: Rule, facts: History, begin: date | None, snap: Snapshot, today: date, week_start: str
) -> int | None:
    """engine.week_streak, with the weeks before the snapshot's last full week read from it."""
    if not rule.weekly:
        return None
    if begin is None:
        return 0
    walker = engine.Walk(rule, facts, begin, today, week_start)
    resumed = week_start_of(snap.end + DAY, week_start) if snap.end is not None else None
    first_week = week_start_of(begin, week_start)
    week = week_start_of(today, week_start)
    if engine.week_result(walker, week) is False:
        week -= WEEK
    length = 0
    while week >= first_week:
        if resumed is not None and week < resumed:
            return length + snap.week_run
        result = engine.week_result(walker, week)
        if result is False:
            break
        length += bool(result)
        week -= WEEK
    return length


def with_end(snap: Snapshot, end: date) -> Snapshot:
    """An empty snapshot moved to `end` (a habit with nothing before then)."""
    return replace(snap, end=end)
