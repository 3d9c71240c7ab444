"""The running timer as every page's header shows it."""

from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user

from ..models import Habit, utcnow
from ..timeutil import zone


@dataclass(frozen=True)
class TimerHeader:
    habit: Habit
    started_at: datetime  # UTC
    started_local: datetime  # in the user's time zone
    started_today: bool
    elapsed_seconds: int

    @property
    def elapsed(self) -> str:
        """'0:05:09', '12:00:00': hours, minutes and seconds so far."""
        minutes, seconds = divmod(self.elapsed_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}"


def running_timer_header(now: datetime | None = None) -> TimerHeader | None:
    """The logged-in user's running timer (loaded with the user: no query of its own)."""
    if not current_user.is_authenticated or current_user.timer is None:
        return None
    timer, now = current_user.timer, now or utcnow()
    tz = zone(current_user.timezone)
    local = timer.started_at.astimezone(tz)
    return TimerHeader(
        habit=timer.habit,
        started_at=timer.started_at,
        started_local=local,
        started_today=local.date() == now.astimezone(tz).date(),
        elapsed_seconds=max(0, int((now - timer.started_at).total_seconds())),
    )
