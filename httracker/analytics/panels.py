"""Analytics shown on other blueprints' pages (the dashboard and a habit's own page), and the
charts of the analytics page."""

from datetime import date, timedelta

from ..extensions import db
from ..habits.queries import habits_of
from ..models import Habit, User
from ..timeutil import week_start_of
from . import charts, metrics, queries
from .report import HEATMAP_DAYS, habit_stats
from .results import Overview

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
    return {
        "series": charts.bar_chart(
            "chart-series",
            f"Time per {bucket}",
            [(_bucket_label(point["start"], bucket), point["minutes"]) for point in data.points],
        ),
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


def dashboard_panel(user: User, today: date) -> dict:
    """Context for templates/analytics/_dashboard.html, as of today."""
    habits = list(db.session.scalars(habits_of(user, active=True)))
    stats = habit_stats(user, habits, today)
    chart_start = today - timedelta(days=DASHBOARD_DAYS - 1)
    daily = queries.daily_totals(user, chart_start, today)
    week_start = week_start_of(today, user.week_start)
    progress = []
    for habit in habits:
        recent = stats[habit.id].recent
        weekly = habit.weekly_target
        since = week_start if weekly else today
        minutes = sum(value for day, value in recent.items() if since <= day <= today)
        target = habit.target_minutes
        progress.append(
            {
                "habit": habit,
                "minutes": minutes,
                "target": target,
                "period": "this week" if weekly else "today",
                "percent": min(100, round(100 * minutes / target)) if target else None,
                "met": bool(target and minutes >= target),
                "stats": stats[habit.id],
            }
        )
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


def _weeks(habit: Habit, recent: dict, this_week: date, today: date) -> list[dict]:
    """The last weeks' totals against the target: a weekly target is met or not; for a daily
    target, how many of the week's days (so far) met it."""
    threshold = habit.done_threshold
    weeks = []
    for back in range(HABIT_WEEKS - 1, -1, -1):
        start = this_week - timedelta(weeks=back)
        days = [start + timedelta(days=offset) for offset in range(7)]
        days = [day for day in days if day <= today]
        minutes = sum(recent.get(day, 0) for day in days)
        weeks.append(
            {
                "start": start,
                "minutes": minutes,
                "met": habit.weekly_target and minutes >= habit.target_minutes,
                "days_met": sum(1 for day in days if recent.get(day, 0) >= threshold),
                "days": len(days),
            }
        )
    return weeks


def habit_panel(user: User, habit: Habit, today: date) -> dict:
    """Context for templates/analytics/_habit.html, as of today."""
    stats = habit_stats(user, [habit], today, keep_history=HEATMAP_DAYS)[habit.id]
    recent = stats.recent
    heat_days = metrics.days_between(today - timedelta(days=HEATMAP_DAYS - 1), today)
    heat = {day: recent.get(day, 0) for day in heat_days}
    weeks = _weeks(habit, recent, week_start_of(today, user.week_start), today)
    return {
        "habit": habit,
        "today": today,
        "stats": stats,
        "weeks": weeks,
        "heatmap": charts.heatmap(
            f"chart-habit-{habit.id}-heatmap",
            f"{habit.name}: the last 365 days",
            heat,
            user.week_start,
        ),
        "score_chart": charts.line_chart(
            f"chart-habit-{habit.id}-score", f"{habit.name}: strength score", stats.score_history
        ),
        "weeks_chart": charts.bar_chart(
            f"chart-habit-{habit.id}-weeks",
            f"{habit.name}: time per week",
            [(week["start"].strftime("%b %d"), week["minutes"]) for week in weeks],
            every=2,
            target=habit.target_minutes if habit.weekly_target else None,
        ),
    }
