"""Starting, stopping and discarding the timer, shared by the web views and the API.

Functions take plain values (the user, the habit, `now` as an aware datetime) and never look at
the request. Like every service they check, add and flush, and raise RuleBroken; the caller
commits once. Minutes reach the logs only through `habits.services.add_log`, so a timer obeys
every rule a typed log does (time habits only, 24 hours a day)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from ..changes import RuleBroken
from ..extensions import db
from ..habits.queries import day_totals
from ..habits.services import add_log, check_note, check_timed, lock_user
from ..models import MAX_DAY_MINUTES, Habit, HabitLog, HabitTimer, User
from .clock import (
    LONG_RUN,
    MIN_SECONDS,
    check_started,
    local_clock,
    minutes_by_day,
    seconds_by_day,
)

NOT_RUNNING = "No timer is running."
STOPPED_ALREADY = "That timer has been stopped already; nothing was logged from that page."
DAYS_CHANGED = "The timer has run into another day since that page was shown: check its minutes."


class ConfirmationNeeded(RuleBroken):
    """The stop needs the person to confirm the minutes per day first (a long run, a full day);
    `plan` holds what the timer measured and what fits."""

    def __init__(self, plan: "StopPlan"):
        reason = "ran over 12 hours" if plan.long else "does not fit in a day"
        super().__init__("timer", f"The timer of {plan.habit.name} {reason}: confirm its minutes.")
        self.plan = plan


class DayRefused(RuleBroken):
    """A confirmed day's minutes broke a log rule (say, more than the day holds)."""

    def __init__(self, day: date, error: RuleBroken):
        super().__init__("minutes", error.message)
        self.day = day


@dataclass(frozen=True)
class DayPlan:
    """One calendar day of a timer: minutes timed on it and minutes already logged on it."""

    date: date
    minutes: int
    logged: int

    @property
    def fits(self) -> int:
        """The minutes the day has room for (a day holds 1440 across all habits)."""
        return max(0, MAX_DAY_MINUTES - self.logged)

    @property
    def full(self) -> bool:
        return self.minutes > self.fits


@dataclass(frozen=True)
class StopPlan:
    """What stopping the timer at `ended_at` would log, before anything is written."""

    timer: HabitTimer
    habit: Habit
    ended_at: datetime
    seconds: float
    days: tuple[DayPlan, ...]

    @property
    def too_short(self) -> bool:
        return self.seconds < MIN_SECONDS

    @property
    def long(self) -> bool:
        return self.seconds > LONG_RUN.total_seconds()

    @property
    def full(self) -> bool:
        return any(day.full for day in self.days)

    @property
    def needs_confirmation(self) -> bool:
        return not self.too_short and (self.long or self.full)

    @property
    def minutes(self) -> int:
        return sum(day.minutes for day in self.days)


@dataclass(frozen=True)
class StopResult:
    """A stopped timer: its habit and the logs it became (none when it ran under 30 s)."""

    habit: Habit
    logs: tuple[HabitLog, ...]
    too_short: bool = False

    @property
    def minutes(self) -> int:
        return sum(log.minutes for log in self.logs)


@dataclass(frozen=True)
class StartResult:
    """A started timer, and the one it stopped first when another was running."""

    timer: HabitTimer
    stopped: StopResult | None = None


def running_timer(user: User, *, lock: bool = False) -> HabitTimer | None:
    """The user's running timer, read afresh; `lock` holds its row until the commit."""
    query = select(HabitTimer).where(HabitTimer.user_id == user.id)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def plan_stop(user: User, timer: HabitTimer, ended_at: datetime) -> StopPlan:
    """What the timer measured until `ended_at`, per day of the user's time zone, beside what
    each day already holds. Reads only."""
    split = seconds_by_day(timer.started_at, max(ended_at, timer.started_at), user.timezone)
    days = minutes_by_day(split)
    logged = day_totals(user, [day for day, _ in days])
    return StopPlan(
        timer=timer,
        habit=timer.habit,
        ended_at=ended_at,
        seconds=sum(seconds for _, seconds in split),
        days=tuple(DayPlan(day, minutes, logged[day]) for day, minutes in days),
    )


def check_timeable(habit: Habit) -> None:
    """Raise RuleBroken unless the habit can be timed: an active time habit."""
    check_timed(habit)
    if habit.archived:
        raise RuleBroken("habit_id", f"{habit.name} is archived: restore it to time it.")


def check_after_running(
    user: User, running: HabitTimer, habit: Habit, started_at: datetime, now: datetime
) -> None:
    """Raise RuleBroken when a switch would start before the running timer did: that timer
    would end before its own start."""
    if started_at < running.started_at:
        since = local_clock(running.started_at, now, user.timezone)
        raise RuleBroken(
            "started",
            f"The timer of {running.habit.name} started at {since} ({user.timezone}): "
            f"start {habit.name} then or later.",
        )


def start_timer(
    user: User,
    habit: Habit,
    now: datetime,
    started_at: datetime | None = None,
    note: str | None = None,
) -> StartResult:
    """Start timing `habit` from `started_at` (default `now`). A timer already running is
    stopped first, where the new one starts, and logged; a start before the running timer's
    own start is refused, and when that stop needs a confirmation, ConfirmationNeeded is raised
    and nothing changes."""
    note = (note or "").strip() or None
    check_note(note)
    backdated = started_at is not None and started_at != now  # "now" typed or left empty
    started_at = (started_at or now).replace(microsecond=0)
    check_started(started_at, now)
    lock_user(user, [habit])  # the habit as committed: an archive or new kind meanwhile counts
    check_timeable(habit)
    stopped = None
    running = running_timer(user, lock=True)
    if running is not None and not backdated and started_at < running.started_at:
        # A start "now" that waited for the lock behind another start made a moment later
        # switches from it at once, never to before it.
        started_at = running.started_at
    if running is not None:
        check_after_running(user, running, habit, started_at, now)
        stopped = _stop(user, running, started_at)
    timer = HabitTimer(user_id=user.id, habit_id=habit.id, started_at=started_at, note=note)
    db.session.add(timer)
    db.session.flush()
    return StartResult(timer, stopped)


def stop_timer(
    user: User,
    now: datetime,
    *,
    minutes: dict[date, int] | None = None,
    timer_id: int | None = None,
) -> StopResult:
    """Stop the running timer at `now` and log its minutes, one log per day of the user's time
    zone. Without `minutes` it logs what it measured, or raises ConfirmationNeeded when it ran
    over 12 hours or a day cannot hold it. With `minutes` (per day; 0 logs nothing that day) it
    logs what the person confirmed for every day it ran; `timer_id` makes sure it is the timer
    they confirmed."""
    lock_user(user)
    timer = running_timer(user, lock=True)
    if timer is None and timer_id is None:
        raise RuleBroken("timer", NOT_RUNNING)
    if timer is None or (timer_id is not None and timer.id != timer_id):
        raise RuleBroken("timer", STOPPED_ALREADY)
    return _stop(user, timer, now, minutes)


def discard_timer(user: User) -> Habit:
    """End the running timer without logging; the habit it was timing."""
    lock_user(user)
    timer = running_timer(user, lock=True)
    if timer is None:
        raise RuleBroken("timer", NOT_RUNNING)
    habit = timer.habit
    _remove(timer)
    return habit


def _stop(
    user: User, timer: HabitTimer, ended_at: datetime, minutes: dict[date, int] | None = None
) -> StopResult:
    plan = plan_stop(user, timer, ended_at)
    if minutes is None:
        if plan.too_short:
            _remove(timer)
            return StopResult(plan.habit, (), too_short=True)
        if plan.needs_confirmation:
            raise ConfirmationNeeded(plan)
        minutes = {day.date: day.minutes for day in plan.days}
    if set(minutes) != {day.date for day in plan.days}:
        # Every day the timer ran is confirmed, none silently left out.
        raise RuleBroken("timer", DAYS_CHANGED)
    _remove(timer)
    logs = []
    for day in sorted(minutes):
        if minutes[day]:
            try:
                logs.append(add_log(user, plan.habit, day, minutes[day], timer.note))
            except RuleBroken as error:
                raise DayRefused(day, error) from None
    return StopResult(plan.habit, tuple(logs))


def _remove(timer: HabitTimer) -> None:
    """Delete the timer's row; a concurrent stop that got there first leaves nothing to delete,
    and this one then logs nothing."""
    query = delete(HabitTimer).where(HabitTimer.id == timer.id)
    removed = db.session.execute(query.execution_options(synchronize_session=False)).rowcount
    if removed != 1:
        raise RuleBroken("timer", NOT_RUNNING)
    # Out of the session too: a timer started next may be given the same id (SQLite).
    db.session.expunge(timer)
