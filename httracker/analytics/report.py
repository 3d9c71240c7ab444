"""The numbers of the analytics pages and data.json, built from a fixed handful of queries."""

from datetime import date, timedelta

from ..models import Habit, User
from ..timeutil import user_today
from . import metrics, queries
from .metrics import DAY
from .params import Params
from .results import Choices, HabitRow, HabitStats, Overview

HEATMAP_DAYS = 365


def today_for(user: User) -> date:
    """'Today' for a page that shows analytics: the user's local date. A view asks once and
    passes it down, so one request has one today; call it as `report.today_for` (one place, so
    tests can pin it)."""
    return user_today(user)


def habit_stats(
    user: User,
    habits: list[Habit],
    today: date,
    *,
    first: dict[int, date] | None = None,
    keep_history: int = 0,
) -> dict[int, HabitStats]:
    """Streaks, scores and recent per-day sums of each habit, as of today (four queries)."""
    ids = [habit.id for habit in habits]
    if not ids:
        return {}
    if first is None:
        first = queries.first_log_days(user, ids)
    # Each habit's score window (plus the week before it), at least the year the habit page's
    # heatmap shows.
    starts = {habit.id: today - timedelta(days=metrics.score_window(habit) + 6) for habit in habits}
    recent = queries.recent_day_sums(user, starts, today)
    runs: dict[int, list] = {habit_id: [] for habit_id in ids}
    for habit_id, run_start, run_end, length in queries.day_islands(user, ids, today - DAY):
        runs[habit_id].append((run_start, run_end, length))
    this_week = queries.week_index_of(today, user.week_start)
    weekly_ids = [habit.id for habit in habits if habit.weekly_target]
    week_runs: dict[int, list] = {habit_id: [] for habit_id in weekly_ids}
    if weekly_ids:
        for habit_id, first_week, last_week, length in queries.week_islands(
            user, weekly_ids, this_week - 1
        ):
            week_runs[habit_id].append((first_week, last_week, length))
    stats = {}
    for habit in habits:
        days = recent.get(habit.id, {})
        score, history = metrics.score_history(
            days, first.get(habit.id), today, habit, keep_days=keep_history
        )
        habit_runs = runs[habit.id]
        stats[habit.id] = HabitStats(
            first_log=first.get(habit.id),
            recent=days,
            current_streak=metrics.current_streak(habit_runs, today),
            longest_streak=max((run[2] for run in habit_runs), default=0),
            best_streaks=tuple(metrics.best_runs(habit_runs)),
            week_streak=(
                metrics.current_week_streak(week_runs[habit.id], this_week)
                if habit.weekly_target
                else None
            ),
            score=round(score, 1),
            score_history=tuple(history),
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
    filtered = only is not None or params.category is not None
    ids = [habit.id for habit in chosen] if filtered else None
    first = queries.first_log_days(user)
    start, end = params.resolve(today, min(first.values(), default=None))
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - DAY
    heat_start = today - timedelta(days=HEATMAP_DAYS - 1)
    daily_span = queries.daily_totals(user, min(previous_start, heat_start), max(end, today), ids)
    previous = sum(
        minutes for day, minutes in daily_span.items() if previous_start <= day <= previous_end
    )
    in_range = queries.habit_range_totals(user, start, end, today, ids)
    stats = habit_stats(user, chosen, today, first=first)
    week_met = _weeks_met(user, chosen, start, end, today, first)
    rows = []
    for habit in chosen:
        sums = in_range.get(habit.id, {"minutes": 0, "days_logged": 0, "done_days": 0})
        success = _success_rate(
            habit, sums, week_met, (start, end), today, first.get(habit.id), user.week_start
        )
        rows.append(HabitRow(habit, sums["minutes"], sums["days_logged"], success, stats[habit.id]))
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


def _weeks_met(user, habits, start, end, today, first) -> dict[int, int]:
    """Per weekly-target habit: weeks overlapping the counted part of the range that met it."""
    weekly = [habit for habit in habits if habit.weekly_target]
    if not weekly or start > today:
        return {}
    first_week = queries.week_index_of(start, user.week_start)
    last_week = queries.week_index_of(min(end, today), user.week_start)
    sums = queries.week_sums(user, first_week, last_week, [habit.id for habit in weekly])
    met = {}
    for habit in weekly:
        begin = first.get(habit.id)
        if begin is None:
            continue
        since = queries.week_index_of(max(begin, start), user.week_start)
        met[habit.id] = sum(
            1
            for number, minutes in sums.get(habit.id, {}).items()
            if number >= since and minutes >= habit.target_minutes
        )
    return met


def _success_rate(habit, sums, week_met, span, today, first_day, week_start) -> float | None:
    start, end = span
    if habit.target_minutes is None:
        return None
    counted_days = metrics.counted_days(start, end, first_day, today)
    if not habit.weekly_target:
        return metrics.success_rate(sums["done_days"], counted_days)
    if not counted_days:
        return None
    counted_from = max(start, first_day)
    counted_to = min(end, today)
    weeks = (
        queries.week_index_of(counted_to, week_start)
        - queries.week_index_of(counted_from, week_start)
        + 1
    )
    return metrics.success_rate(week_met.get(habit.id, 0), weeks)


def _categories(rows: list[HabitRow]) -> list[dict]:
    totals: dict[str, int] = {}
    for row in rows:
        category = row.habit.category
        totals[category] = totals.get(category, 0) + row.minutes
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [{"category": name, "minutes": minutes} for name, minutes in ranked if minutes > 0]
