"""The numbers of the analytics pages and data.json, built from a fixed handful of queries."""

from collections import defaultdict
from datetime import date, timedelta

from flask import abort

from ..extensions import db
from ..habits.queries import habits_of
from ..models import Habit, User
from ..timeutil import today_in, user_today
from . import engine, metrics, queries
from .engine import History
from .metrics import DAY
from .params import Params
from .results import Choices, HabitRow, HabitStats, Overview

HEATMAP_DAYS = 365


def today_for(user: User) -> date:
    """'Today' for a page that shows analytics: the user's local date. A view asks once and
    passes it down, so one request has one today; call it as `report.today_for` (one place, so
    tests can pin it)."""
    return user_today(user)


def histories(user: User, habits: list[Habit]) -> dict[int, History]:
    """Each habit's minutes per day, check-offs and excused days (skips and the days of its
    breaks), over its whole history (three queries)."""
    ids = [habit.id for habit in habits]
    chosen = set(ids)
    minutes = queries.minutes_by_day(user, ids)
    checks, skips = queries.entry_days(user, ids)
    for start, end, habit_id in queries.break_spans(user):
        days = metrics.days_between(start, end)
        for covered in ids if habit_id is None else [habit_id]:
            if covered in chosen:
                skips[covered].update(days)
    return {
        habit.id: History(
            minutes.get(habit.id, {}),
            frozenset(checks.get(habit.id, ())),
            frozenset(skips.get(habit.id, ())),
        )
        for habit in habits
    }


def habit_stats(
    user: User,
    habits: list[Habit],
    today: date,
    *,
    keep_history: int = 0,
) -> dict[int, HabitStats]:
    """Streaks, scores and the history behind them of each habit, as of today."""
    if not habits:
        return {}
    stats = {}
    facts = histories(user, habits)
    for habit in habits:
        rule, history = habit.rule, facts[habit.id]
        begin = engine.first_counted_day(rule, history, today_in(user.timezone, habit.created_at))
        walked = engine.walk(rule, history, begin, today, user.week_start)
        score, kept = engine.score_history(walked, keep_days=keep_history)
        best = engine.best_runs(walked)
        stats[habit.id] = HabitStats(
            first_day=begin,
            history=history,
            walk=walked,
            current_streak=engine.current_streak(walked),
            longest_streak=best[0].length if best else 0,
            best_streaks=tuple((run.first, run.last, run.length) for run in best),
            week_streak=engine.week_streak(walked),
            score=round(score, 1),
            score_history=tuple(kept),
        )
    return stats


def overview(
    user: User, params: Params, today: date, habits: list[Habit], only: Habit | None = None
) -> Overview:
    """Everything /analytics/ and /analytics/data.json show for these parameters, as of today.
    `habits` are all the user's habits; `only` is the one params.habit_id names, if any."""
    chosen = habits if only is None else [only]
    if params.category is not None:
        chosen = [habit for habit in chosen if habit.category == params.category]
    first = queries.first_entry_days(user)
    start, end = params.resolve(today, min(first.values(), default=None))
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - DAY
    heat_start = today - timedelta(days=HEATMAP_DAYS - 1)
    stats = habit_stats(user, chosen, today)
    daily_span: dict[date, int] = defaultdict(int)
    for habit_stats_row in stats.values():
        for day, minutes in habit_stats_row.history.minutes.items():
            daily_span[day] += minutes
    previous = sum(
        minutes for day, minutes in daily_span.items() if previous_start <= day <= previous_end
    )
    rows = []
    for habit in chosen:
        numbers = stats[habit.id]
        in_range = [
            minutes for day, minutes in numbers.history.minutes.items() if start <= day <= end
        ]
        counts = engine.range_counts(numbers.walk, start, end)
        rows.append(
            HabitRow(
                habit,
                minutes=sum(in_range),
                days_logged=len(in_range),
                checks=sum(1 for day in numbers.history.checks if start <= day <= end),
                skipped_days=counts.skipped_days,
                target_success_rate=counts.success_rate(habit.rule),
                stats=numbers,
            )
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
