"""Habit reminders, queued by `flask reminders send` (run every few minutes by cron).

A habit is reminded once per local day, at or after its reminder time (within REMINDER_LATE of
it, so a cron job that was down does not send the morning's reminders at night), on its chosen
weekdays, only while the day is neither done (by the habit's own rule) nor skipped nor on a
break, and only to a confirmed address."""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update

from .. import versions
from ..extensions import db
from ..models import Habit, HabitBreak, HabitBreakHabit, HabitCheck, HabitLog, HabitSkip, User
from ..timeutil import week_start_of, zone
from .links import site_url
from .outbox import enqueue
from .tokens import sign

REMINDER_LATE = timedelta(hours=2)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EVERY_DAY = 0b1111111


def days_mask(weekdays) -> int:
    """The reminder_days bits of weekday numbers (0 = Monday)."""
    return sum(1 << int(day) for day in set(weekdays))


def mask_days(mask: int) -> list[int]:
    """The weekday numbers (0 = Monday) whose bits are set."""
    return [day for day in range(7) if mask & (1 << day)]


def set_reminder(habit: Habit, at, weekdays) -> None:
    """Set (or, with `at` None or no weekday, clear) a habit's reminder."""
    mask = days_mask(weekdays or ())
    habit.reminder_time = at if mask else None
    habit.reminder_days = mask or EVERY_DAY
    db.session.flush()


def _minutes(habit: Habit, first: date, last: date) -> int:
    query = select(func.coalesce(func.sum(HabitLog.minutes), 0)).where(
        HabitLog.user_id == habit.user_id,
        HabitLog.habit_id == habit.id,
        HabitLog.date.between(first, last),
    )
    return int(db.session.scalar(query) or 0)


def _has(model, habit: Habit, day: date) -> bool:
    query = select(model.id).where(
        model.user_id == habit.user_id, model.habit_id == habit.id, model.date == day
    )
    return db.session.scalar(query.limit(1)) is not None


def on_break(habit: Habit, day: date) -> bool:
    """Whether a break of all habits, or of this one, covers `day`."""
    linked = exists().where(
        HabitBreakHabit.break_id == HabitBreak.id,
        HabitBreakHabit.user_id == HabitBreak.user_id,
        HabitBreakHabit.habit_id == habit.id,
    )
    query = select(HabitBreak.id).where(
        HabitBreak.user_id == habit.user_id,
        HabitBreak.start_date <= day,
        HabitBreak.end_date >= day,
        or_(HabitBreak.all_habits, linked),
    )
    return db.session.scalar(query.limit(1)) is not None


def needs_reminder(habit: Habit, user: User, day: date) -> bool:
    """Whether the habit's day is still open: not done by its rule, not skipped, no break."""
    if _has(HabitSkip, habit, day) or on_break(habit, day):
        return False
    rule = habit.rule
    minutes = 0 if rule.is_check else _minutes(habit, day, day)
    week_before = 0
    if rule.limit and rule.weekly:
        week_before = _minutes(habit, week_start_of(day, user.week_start), day - timedelta(1))
    checked = rule.is_check and _has(HabitCheck, habit, day)
    return not rule.day_done(minutes, checked, week_before)


def due_today(habit: Habit, user: User, now: datetime) -> date | None:
    """The user's local date when the habit's reminder is due now, else None."""
    local = now.astimezone(zone(user.timezone))
    day = local.date()
    if habit.reminder_sent_on == day or not habit.reminder_days & (1 << day.weekday()):
        return None
    # Wall-clock times: a reminder at a time that a DST change skips (02:30 in spring) is due as
    # the clock jumps past it; one at a time that occurs twice (in autumn) goes the first time,
    # and `reminder_sent_on` stops the second.
    at = datetime.combine(day, habit.reminder_time)
    if not at <= local.replace(tzinfo=None) <= at + REMINDER_LATE:
        return None
    return day


def claim_once(column, row_id: int, value: date) -> bool:
    """Set `column` (a "sent for" date) of the row `row_id` to `value` unless it holds it
    already: one conditional UPDATE, so of two runs at once only one sends. No page shows it:
    it moves no data version (versions.py), so a run holds no account's lock."""
    model = column.class_
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, or_(column.is_(None), column != value))
        .values({column.key: value})
        .execution_options(synchronize_session=False, **{versions.UNSEEN_OPTION: True})
    )
    return result.rowcount == 1


def claim(habit: Habit, day: date) -> bool:
    """Mark the habit reminded for `day`, unless a concurrent run already did."""
    return claim_once(Habit.reminder_sent_on, habit.id, day)


def unsubscribe_link(user: User, habit: Habit | None = None) -> str:
    """A link that turns off this habit's reminder (or, without a habit, the weekly summary)."""
    payload = {"u": user.id, "h": habit.id} if habit else {"u": user.id, "s": 1}
    return site_url("mail.unsubscribe", token=sign("unsubscribe", payload))


def list_headers(link: str) -> dict:
    """RFC 8058 one-click unsubscribe headers."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def candidates():
    """Active habits with a reminder, of accounts with a confirmed address."""
    return db.session.execute(
        select(Habit, User)
        .join(User, and_(User.id == Habit.user_id))
        .where(Habit.reminder_time.is_not(None), Habit.archived.is_(False), User.email_verified)
        .order_by(Habit.id)
    ).all()


def send_reminders(now: datetime) -> int:
    """Queue every reminder due at `now`; how many (the caller commits)."""
    queued = 0
    for habit, user in candidates():
        day = due_today(habit, user, now)
        if day is None or not needs_reminder(habit, user, day) or not claim(habit, day):
            continue
        link = unsubscribe_link(user, habit)
        enqueue(
            user,
            "reminder",
            headers=list_headers(link),
            habit_name=habit.name,
            habit_link=site_url("habits.detail", habit_id=habit.id),
            unsubscribe=link,
        )
        queued += 1
    return queued
