"""The numbers of the analytics pages and data.json, built from a fixed handful of queries."""

from dataclasses import replace
from datetime import date, timedelta

from flask import abort

from ..extensions import db
from ..habits.queries import habits_of
from ..models import Habit, User
from ..timeutil import user_today, week_start_of
from . import derived, engine, metrics, queries, resume
from .metrics import DAY
from .params import Params
from .results import Choices, HabitRow, HabitStats, Overview

HEATMAP_DAYS = 365


def today_for(user: User) -> date:
    """'Today' for a page that shows analytics: the user's local date. A view asks once and
    passes it down, so one request has one today; call it as `report.today_for` (one place, so
    tests can pin it)."""
    return user_today(user)


def _stats(habit: Habit, loaded: derived.Loaded, today: date, week_start: str) -> HabitStats:
    """A habit's numbers from its walk carried to today."""
    rule, walked = habit.rule, loaded.today
    snap, states = walked.snapshot, walked.states
    best = resume.rank([*snap.best, *([snap.open] if snap.open else [])])
    run = walked.open_before_end if states.endswith(engine.MISSED) else snap.open
    walk = engine.Walk(
        rule, loaded.facts, walked.states_from, today, week_start, states if states else ""
    )
    return HabitStats(
        first_day=loaded.begin,
        history=loaded.facts,
        walk=walk,
        current_streak=run[2] if run and states else 0,
        longest_streak=best[0][2] if best else 0,
        best_streaks=tuple(best),
        week_streak=resume.week_streak(
            rule, loaded.facts, loaded.begin, loaded.start, today, week_start
        ),
        score=round(snap.score * 100, 1),
        score_history=tuple(walked.kept),
    )


def habit_stats(
    user: User,
    habits: list[Habit],
    today: date,
    *,
    keep_history: int = 0,
    also: list[tuple[date, date]] = (),
    loaded: dict | None = None,
) -> dict[int, HabitStats]:
    """Streaks, scores and the recent history behind them of each habit, as of today, from
    each habit's stored state and the days after it; `keep_history` days of scores."""
    if not habits:
        return {}
    keep_from = today - timedelta(days=keep_history - 1) if keep_history else None
    found = derived.load(user, habits, today, keep_from=keep_from, also=also)
    if loaded is not None:
        loaded.update(found)
    return {habit.id: _stats(habit, found[habit.id], today, user.week_start) for habit in habits}


def _full_months(start: date, end: date, today: date) -> tuple[date, date]:
    """The first and last day of the complete months of a range that stored totals cover."""
    first = start if start.day == 1 else resume.next_month(start)
    last_end = end if end == resume.month_end(end) else resume.month_start(end) - DAY
    stored_end = resume.month_end(derived.checkpoint_for(today))
    return first, min(last_end, stored_end)


def _segment(
    habit: Habit,
    loaded: derived.Loaded,
    first: date,
    last: date,
    weeks: tuple[date, date],
    totals_last: date | None = None,
) -> list[int]:
    """Walked from the facts: done and skipped days from first to last, the weeks starting
    within `weeks` (counted, met), and the minutes, days logged and checks from first to last."""
    facts, rule, begin, week_start = loaded.facts, habit.rule, loaded.begin, loaded.week_start
    totals_last = totals_last or last
    minutes = [value for day, value in facts.minutes.items() if first <= day <= totals_last]
    checks = sum(1 for day in facts.checks if first <= day <= totals_last)
    numbers = [0, 0, 0, 0, sum(minutes), len(minutes), checks]
    if begin is None:
        return numbers
    if max(first, begin) <= last:
        first = max(first, begin)
        walk_from = max(begin, week_start_of(first, week_start))
        walked = engine.walk(rule, facts, walk_from, last, week_start)
        span = walked.states[(first - walk_from).days :]
        numbers[0], numbers[1] = span.count(engine.DONE), span.count(engine.SKIPPED)
    week, walker = (
        week_start_of(weeks[0], week_start),
        engine.Walk(rule, facts, begin, last, week_start),
    )
    if week < weeks[0]:
        week += engine.WEEK
    while rule.weekly and week <= weeks[1]:
        result = engine.week_result(walker, week)
        numbers[2] += result is not None
        numbers[3] += bool(result)
        week += engine.WEEK
    return numbers


def _range_row(habit, loaded, months, start, end, today, full) -> HabitRow:
    """A habit's line for a range: its complete stored months plus the days at either end."""
    begin, week_start = loaded.begin, loaded.week_start
    first, last = max(start, begin or start), min(end, today)
    counting = begin is not None and first <= last
    first_week = week_start_of(first, week_start)
    a, b = full
    none = (a, a - DAY)
    if a <= b:
        # Weeks starting before the stored months: the first counted day's week is stored
        # in its own month.
        left_weeks = (first_week, a - DAY) if counting and begin < a else none
        left = _segment(habit, loaded, start, a - DAY, left_weeks)
        stored = months.get(habit.id, {})
        middle = [stored.get(name, 0) for name in derived.MONTH_COLUMNS]
        for month, totals in loaded.months.items():  # carried, not stored
            if a <= month <= b:
                for index, name in enumerate(derived.MONTH_COLUMNS):
                    middle[index] += getattr(totals, name)
        middle = [middle[3], middle[4], middle[5], middle[6], *middle[:3]]
        right_weeks = (first_week if first > b else b + DAY, last) if counting else none
        right = _segment(habit, loaded, b + DAY, last, right_weeks, end)
        parts = [left, middle, right]
    else:
        weeks = (first_week, last) if counting else none
        parts = [_segment(habit, loaded, start, last, weeks, end)]
    sums = [sum(column) for column in zip(*parts, strict=True)]
    done, skipped, weeks, met, minutes, days_logged, checks = sums
    counted = (last - first).days + 1 if begin is not None and first <= last else 0
    counts = engine.RangeCounts(counted, done, skipped, weeks, met)
    return HabitRow(
        habit,
        minutes=minutes,
        days_logged=days_logged,
        checks=checks,
        skipped_days=skipped,
        target_success_rate=counts.success_rate(habit.rule),
        stats=None,
    )


def overview(
    user: User, params: Params, today: date, habits: list[Habit], only: Habit | None = None
) -> Overview:
    """Everything /analytics/ and /analytics/data.json show for these parameters, as of today.
    `habits` are all the user's habits; `only` is the one params.habit_id names, if any."""
    chosen = habits if only is None else [only]
    if params.category is not None:
        chosen = [habit for habit in chosen if habit.category == params.category]
    ids = [habit.id for habit in chosen]
    first_entry = queries.first_entry_day(user) if params.range == "all" else None
    start, end = params.resolve(today, first_entry)
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - DAY
    heat_start = today - timedelta(days=HEATMAP_DAYS - 1)
    full = _full_months(start, end, today)
    week_start = user.week_start
    if full[0] <= full[1]:
        spans = [(week_start_of(start, week_start), full[0] + timedelta(days=6))]
        spans.append((week_start_of(full[1] + DAY, week_start), end + timedelta(days=6)))
    else:
        spans = [(week_start_of(start, week_start), end + timedelta(days=6))]
    loaded: dict = {}
    stats = habit_stats(user, chosen, today, also=spans, loaded=loaded)
    # Always asked (an empty span finds nothing), so a page runs the same statements.
    stored_to = {habit_id: found.stored_to for habit_id, found in loaded.items()}
    months = derived.month_sums(user, stored_to, *full) if ids else {}
    rows = [
        replace(
            _range_row(habit, loaded[habit.id], months, start, end, today, full),
            stats=stats[habit.id],
        )
        for habit in chosen
    ]
    # One query for the range, the period before it and the heatmap's year (for `all`, the
    # period before holds nothing: the range starts at the first entry).
    daily_span = queries.daily_totals(user, min(previous_start, heat_start), max(end, today), ids)
    previous = sum(
        minutes for day, minutes in daily_span.items() if previous_start <= day <= previous_end
    )
    bucket = metrics.bucket_for(start, end)
    daily = {day: minutes for day, minutes in daily_span.items() if start <= day <= end}
    return Overview(
        start=start,
        end=end,
        today=today,
        totals=metrics.headline(daily_span, start, end, previous),
        habits=tuple(rows),
        categories=tuple(_categories(rows)),
        bucket=bucket,
        points=tuple(metrics.series(daily, start, end, bucket, user.week_start)),
        daily={day: daily.get(day, 0) for day in metrics.days_between(start, end)},
        weekdays=tuple(metrics.weekdays(daily, start, end)),
        heatmap={day: daily_span.get(day, 0) for day in metrics.days_between(heat_start, today)},
        choices=Choices(
            habits=tuple((habit.id, habit.name) for habit in habits),
            categories=tuple(sorted({habit.category for habit in habits if habit.category})),
        ),
    )


def overview_for(user: User, params: Params, today: date) -> Overview:
    """The overview of /analytics/, data.json and the API for the user's parameters; a 404 when
    `habit_id` is not one of their habits (found among the habits the report loads anyway, so
    no extra query)."""
    habits = list(db.session.scalars(habits_of(user)))
    only = None
    if params.habit_id is not None:
        only = next((habit for habit in habits if habit.id == params.habit_id), None)
        if only is None:
            abort(404, "You have no habit with that number.")
    return overview(user, params, today, habits, only)


def _categories(rows: list[HabitRow]) -> list[dict]:
    totals: dict[str, int] = {}
    for row in rows:
        category = row.habit.category
        totals[category] = totals.get(category, 0) + row.minutes
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [{"category": name, "minutes": minutes} for name, minutes in ranked if minutes > 0]
