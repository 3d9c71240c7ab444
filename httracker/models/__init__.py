"""The whole schema: users, their habits, the minutes they log, the days they check off or
excuse, their breaks, running timers, API tokens, and files waiting for an import's
confirmation. Every table is importable from here."""

from ..rules import DIRECTIONS, KINDS, MAX_TIMES_PER_WEEK, TARGET_PERIODS
from .accounts import LoginFailure, User, UserSession
from .base import (
    CATEGORY_MAX,
    MAX_DAY_MINUTES,
    MAX_TARGET_MINUTES,
    MAX_WEEK_MINUTES,
    MYSQL_TABLE,
    NAME_MAX,
    NOTE_MAX,
    WEEK_STARTS,
    UTCDateTime,
    fold,
    utcnow,
)
from .days import HabitBreak, HabitBreakHabit, HabitCheck, HabitSkip
from .defences import Invite, LoginChallenge, Passkey, RecoveryCode
from .habits import Habit, HabitLog
from .imports import ImportPreview
from .mail import EmailOutbox
from .stats import HabitMonthTotal, HabitStatsState
from .timer import HabitTimer
from .tokens import (
    IDEMPOTENCY_KEY_MAX,
    TOKEN_NAME_MAX,
    TOKEN_SCOPES,
    ApiIdempotencyKey,
    ApiToken,
)

__all__ = [
    "IDEMPOTENCY_KEY_MAX",
    "TOKEN_NAME_MAX",
    "TOKEN_SCOPES",
    "ApiIdempotencyKey",
    "ApiToken",
    "CATEGORY_MAX",
    "DIRECTIONS",
    "KINDS",
    "MAX_DAY_MINUTES",
    "MAX_TARGET_MINUTES",
    "MAX_TIMES_PER_WEEK",
    "MAX_WEEK_MINUTES",
    "MYSQL_TABLE",
    "NAME_MAX",
    "NOTE_MAX",
    "Passkey",
    "RecoveryCode",
    "TARGET_PERIODS",
    "WEEK_STARTS",
    "EmailOutbox",
    "Habit",
    "HabitBreak",
    "HabitBreakHabit",
    "HabitCheck",
    "HabitLog",
    "HabitMonthTotal",
    "HabitStatsState",
    "HabitSkip",
    "HabitTimer",
    "Invite",
    "LoginChallenge",
    "ImportPreview",
    "LoginFailure",
    "User",
    "UserSession",
    "UTCDateTime",
    "fold",
    "utcnow",
]
