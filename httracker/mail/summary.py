"""The weekly summary (opt-in): last week's totals, targets met and streaks, queued on the
user's first weekday morning by `flask reminders send`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..analytics.report import habit_stats
from ..extensions import db
from ..habits.queries import habits_of
from ..models import User
from ..timeutil import week_start_of, zone
from .links import site_url
from .outbox import enqueue
from .reminders import claim_once, list_headers, unsubscribe_link

SUMMARY_FROM = time(7, 0)


@dataclass(frozen=True)
class HabitWeek:
    """One habit's last week: minutes or check-offs, the target's verdict, the streak."""

    name: str
    is_check: bool
    amount: int
    verdict: str
    streak: str


def streak_text(stats) -> str:
    """'9 days', or '3 weeks' for a weekly target (met per week, so counted in weeks)."""
    if stats.week_streak is not None:
        count, unit = stats.week_streak, "week"
    else:
        count, unit = stats.current_streak, "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def verdict(habit, days: list[date], history) -> str:
    """The target's verdict on the week: met, missed, kept, over, excused, "4 of 6 days", or an
    empty string for a habit without a target."""
    rule = habit.rule
    counted = [day for day in days if day not in history.skips]
    if not rule.has_target:
        return ""
    if not counted:
        return "excused"
    if rule.weekly:
        amount = (
            sum(1 for day in counted if day in history.checks)
            if rule.is_check
            else sum(history.minutes.get(day, 0) for day in counted)
        )
        met = rule.week_met(amount, len(days) - len(counted))
        if rule.limit:
            return "kept" if met else "over"
        return "met" if met else "missed"
    done = sum(rule.day_done(history.minutes.get(day, 0), day in history.checks) for day in counted)
    return f"{done} of {len(counted)} days"


def last_week(user: User, week_start: date) -> list[HabitWeek]:
    """Each active habit's week before `week_start`."""
    habits = list(db.session.scalars(habits_of(user, active=True)))
    last_day = week_start - timedelta(days=1)
    days = [week_start - timedelta(days=n) for n in range(7, 0, -1)]
    stats = habit_stats(user, habits, last_day)
    rows = []
    for habit in habits:
        history = stats[habit.id].history
        is_check = habit.kind == "check"
        amount = (
            sum(1 for day in days if day in history.checks)
            if is_check
            else sum(history.minutes.get(day, 0) for day in days)
        )
        rows.append(
            HabitWeek(
                habit.name,
                is_check,
                amount,
                verdict(habit, days, history),
                streak_text(stats[habit.id]),
            )
        )
    return rows


def due_week(user: User, now: datetime) -> date | None:
    """The first day of the user's week when its summary is due now, else None."""
    local = now.astimezone(zone(user.timezone))
    week_start = week_start_of(local.date(), user.week_start)
    if local.date() != week_start or local.time() < SUMMARY_FROM:
        return None
    if user.summary_sent_for == week_start:
        return None
    return week_start


def claim(user: User, week_start: date) -> bool:
    """Mark the summary of this week sent, unless a concurrent run already did."""
    return claim_once(User.summary_sent_for, user.id, week_start)


def send_summaries(now: datetime) -> int:
    """Queue every weekly summary due at `now`; how many (the caller commits)."""
    users = db.session.scalars(
        select(User).where(User.weekly_summary, User.email_verified).order_by(User.id)
    ).all()
    queued = 0
    for user in users:
        week_start = due_week(user, now)
        if week_start is None or not claim(user, week_start):
            continue
        link = unsubscribe_link(user)
        enqueue(
            user,
            "weekly_summary",
            headers=list_headers(link),
            first_day=week_start - timedelta(days=7),
            last_day=week_start - timedelta(days=1),
            habits=last_week(user, week_start),
            analytics=site_url("analytics.overview"),
            unsubscribe=link,
        )
        queued += 1
    return queued
