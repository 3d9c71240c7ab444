"""Analytics shown on other blueprints' pages (the dashboard and a habit's own page), and the
charts of the analytics page."""

from datetime import date, timedelta

from ..extensions import db
from ..habits.queries import habits_of
from ..models import Habit, User
from ..timeutil import week_start_of
from . import charts, engine, metrics, queries, stacks
from .report import HEATMAP_DAYS, habit_stats
from .results import HabitStats, Overview

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DASHBOARD_DAYS = 30
HABIT_WEEKS = 12


def _bucket_label(start: date, bucket: str) -> str:
    if bucket == "month":
        return start.strftime("%b %Y")
    return start.strftime("%b %d")


def overview_charts(user: User, data: Overview) -> dict:
    """The SVG charts of /analytics/ built from the report's numbers."""
    bucket, weekdays = data.bucket, data.weekdays
    order = list(range(7)) if user.week_start == "monday" else [6, *range(6)]
    layers = stacks.layers(data, user.week_start)
    labels = [_bucket_label(point["start"], bucket) for point in data.points]
    return {
        "layers": layers,
        "series": charts.stacked_bar_chart("chart-series", f"Time per {bucket}", labels, layers),
        "weekdays": charts.bar_chart(
            "chart-weekdays",
            "Average time by weekday",
            [(WEEKDAY_NAMES[weekday], round(weekdays[weekday]["average"])) for weekday in order],
            every=1,
        ),
        "heatmap": charts.heatmap(
            "chart-heatmap", "The last 365 days", data.heatmap, user.week_start
        ),
    }


def progress_row(habit: Habit, stats: HabitStats, today: date, week_start: date) -> dict:
    """A habit's progress in its current period (today, or this week for a weekly target):
    minutes or check-offs against the target, and whether it is met (or, for a limit, kept)."""
    weekly = habit.weekly_target
    since = week_start if weekly else today
    history = stats.history
    minutes = sum(value for day, value in history.minutes.items() if since <= day <= today)
    checks = sum(1 for day in history.checks if since <= day <= today)
    rule = habit.rule
    amount = checks if rule.is_check else minutes
    target = rule.amount if rule.has_target else None
    met = amount <= target if rule.limit else bool(target and amount >= target)
    return {
        "habit": habit,
        "minutes": minutes,
        "checks": checks,
        "target": target,
        "limit": rule.limit,
        "period": "this week" if weekly else "today",
        "percent": min(100, round(100 * amount / target)) if target else None,
        "met": met,
        "checked_today": today in history.checks,
        "skipped_today": today in history.skips,
        "stats": stats,
    }


def dashboard_panel(user: User, today: date, habits: list[Habit] | None = None) -> dict:
    """Context for templates/analytics/_dashboard.html, as of today; `habits` are the user's
    active habits when the caller has them already."""
    if habits is None:
        habits = list(db.session.scalars(habits_of(user, active=True)))
    stats = habit_stats(user, habits, today)
    chart_start = today - timedelta(days=DASHBOARD_DAYS - 1)
    daily = queries.daily_totals(user, chart_start, today)
    week_start = week_start_of(today, user.week_start)
    progress = [progress_row(habit, stats[habit.id], today, week_start) for habit in habits]
    days = metrics.days_between(chart_start, today)
    chart = charts.bar_chart(
        "chart-dashboard",
        "The last 30 days",
        [(day.strftime("%b %d"), daily.get(day, 0)) for day in days],
    )
    return {
        "today": today,
        "today_minutes": daily.get(today, 0),
        "last_30_minutes": sum(daily.values()),
        "progress": progress,
        "chart": chart,
    }


def _weeks(habit: Habit, stats: HabitStats, this_week: date, today: date) -> list[dict]:
    """The last weeks against the target: a weekly target is met, missed or excused (None);
    for a daily target, how many of the week's counted days (so far) were done."""
    history, walked = stats.history, stats.walk
    weeks = []
    for back in range(HABIT_WEEKS - 1, -1, -1):
        start = this_week - timedelta(weeks=back)
        days = [start + timedelta(days=offset) for offset in range(7)]
        states = [walked.state(day) for day in days if day <= today]
        weeks.append(
            {
                "start": start,
                "minutes": sum(history.minutes.get(day, 0) for day in days if day <= today),
                "checks": sum(1 for day in days if day in history.checks),
                "met": engine.week_result(walked, start) if habit.weekly_target else None,
                "days_met": states.count(engine.DONE),
                "days_skipped": states.count(engine.SKIPPED),
                "days": len(states) - states.count(engine.SKIPPED),
            }
        )
    return weeks


def habit_panel(user: User, habit: Habit, today: date) -> dict:
    """Context for templates/analytics/_habit.html, as of today."""
    stats = habit_stats(user, [habit], today, keep_history=HEATMAP_DAYS)[habit.id]
    history, is_check = stats.history, habit.kind == "check"
    heat_days = metrics.days_between(today - timedelta(days=HEATMAP_DAYS - 1), today)
    if is_check:
        heat = {day: int(day in history.checks) for day in heat_days}
    else:
        heat = {day: history.minutes.get(day, 0) for day in heat_days}
    weeks = _weeks(habit, stats, week_start_of(today, user.week_start), today)
    return {
        "habit": habit,
        "today": today,
        "checked_today": today in history.checks,
        "stats": stats,
        "weeks": weeks,
        "heatmap": charts.heatmap(
            f"chart-habit-{habit.id}-heatmap",
            f"{habit.name}: the last 365 days",
            heat,
            user.week_start,
            skipped=stats.walk.skipped_days() if stats.walk.begin else frozenset(),
            checks=is_check,
        ),
        "score_chart": charts.line_chart(
            f"chart-habit-{habit.id}-score", f"{habit.name}: strength score", stats.score_history
        ),
        "weeks_chart": charts.bar_chart(
            f"chart-habit-{habit.id}-weeks",
            f"{habit.name}: {'check-offs' if is_check else 'time'} per week",
            [
                (week["start"].strftime("%b %d"), week["checks" if is_check else "minutes"])
                for week in weeks
            ],
            every=2,
            target=habit.rule.amount if habit.weekly_target else None,
            unit="count" if is_check else "minutes",
        ),
    }
