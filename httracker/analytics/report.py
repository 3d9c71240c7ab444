"""The numbers of the analytics pages and data.json, built from a fixed handful of queries."""

from datetime import date, timedelta

from flask import abort

from ..extensions import db
from ..habits.queries import habits_of
from ..models import Habit, User
from ..timeutil import user_today
from . import metrics, queries
from .metrics import DAY
from .params import Params

HEATMAP_DAYS = 365


def today_for(user: User) -> date:
    """'Today' for every analytics number: the user's local date (one place, so tests can pin
    it)."""
    return user_today(user)


def habit_stats(
    user: User,
    habits: list[Habit],
    today: date,
    *,
    first: dict[int, date] | None = None,
    keep_history: int = 0,
) -> dict[int, dict]:
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
        stats[habit.id] = {
            "first_log": first.get(habit.id),
            "recent": days,
            "current_streak": metrics.current_streak(habit_runs, today),
            "longest_streak": max((run[2] for run in habit_runs), default=0),
            "best_streaks": metrics.best_runs(habit_runs),
            "week_streak": (
                metrics.current_week_streak(week_runs[habit.id], this_week)
                if habit.weekly_target
                else None
            ),
            "score": round(score, 1),
            "score_history": history,
        }
    return stats


def select_habits(user: User, params: Params) -> tuple[list[Habit], list[Habit], bool]:
    """All the user's habits, the ones the filters keep, and whether any filter applies."""
    habits = list(db.session.scalars(habits_of(user)))
    chosen = habits
    if params.habit_id is not None:
        chosen = [habit for habit in chosen if habit.id == params.habit_id]
        if not chosen:
            abort(404, "You have no habit with that number.")
    if params.category is not None:
        chosen = [habit for habit in chosen if habit.category == params.category]
    filtered = params.habit_id is not None or params.category is not None
    return habits, chosen, filtered


def overview(user: User, params: Params) -> dict:
    """Everything /analytics/ and /analytics/data.json show for these parameters."""
    today = today_for(user)
    habits, chosen, filtered = select_habits(user, params)
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
    totals = metrics.headline(daily_span, start, end, previous)
    in_range = queries.habit_range_totals(user, start, end, today, ids)
    stats = habit_stats(user, chosen, today, first=first)
    week_met = _weeks_met(user, chosen, start, end, today, first)
    rows = []
    for habit in chosen:
        sums = in_range.get(habit.id, {"minutes": 0, "days_logged": 0, "done_days": 0})
        rows.append(
            {
                "id": habit.id,
                "name": habit.name,
                "category": habit.category,
                "archived": habit.archived,
                "target_minutes": habit.target_minutes,
                "target_period": habit.target_period,
                "minutes": sums["minutes"],
                "days_logged": sums["days_logged"],
                "target_success_rate": _success_rate(
                    habit, sums, week_met, (start, end), today, first.get(habit.id), user.week_start
                ),
                "current_streak": stats[habit.id]["current_streak"],
                "longest_streak": stats[habit.id]["longest_streak"],
                "week_streak": stats[habit.id]["week_streak"],
                "score": stats[habit.id]["score"],
            }
        )
    bucket = metrics.bucket_for(start, end)
    daily = {day: minutes for day, minutes in daily_span.items() if start <= day <= end}
    return {
        "range": {"start": start, "end": end},
        "totals": totals,
        "habits": rows,
        "categories": _categories(rows),
        "series": {
            "bucket": bucket,
            "points": metrics.series(daily, start, end, bucket, user.week_start),
        },
        "daily": [
            {"date": day, "minutes": daily.get(day, 0)} for day in metrics.days_between(start, end)
        ],
        "weekdays": metrics.weekdays(daily, start, end),
        "heatmap": {day: daily_span.get(day, 0) for day in metrics.days_between(heat_start, today)},
        "today": today,
        "choices": {
            "habits": [(habit.id, habit.name) for habit in habits],
            "categories": sorted({habit.category for habit in habits if habit.category}),
        },
    }


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


def _categories(rows: list[dict]) -> list[dict]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["category"]] = totals.get(row["category"], 0) + row["minutes"]
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [{"category": name, "minutes": minutes} for name, minutes in ranked if minutes > 0]
