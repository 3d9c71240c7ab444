"""What the API reads and writes, as marshmallow schemas; flask-smorest turns them into the
OpenAPI document. Rules with a message of their own are asked of the services (RuleCheck), so
the API says what the forms say."""

from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..changes import RuleBroken
from ..habits import services
from ..habits.targets import MINUTES_RULE, TIMES_RULE
from ..models import (
    CATEGORY_MAX,
    DIRECTIONS,
    KINDS,
    MAX_DAY_MINUTES,
    MAX_TIMES_PER_WEEK,
    MAX_WEEK_MINUTES,
    NAME_MAX,
    NOTE_MAX,
    TARGET_PERIODS,
    TOKEN_SCOPES,
)
from ..security import MAX_ID
from ..timeutil import ISO_DATE


class RuleCheck:
    """A validator that asks a service's own rule, so the API and the forms share a message."""

    def __init__(self, check):
        self.check = check

    def __call__(self, value):
        try:
            self.check(value)
        except RuleBroken as error:
            raise ValidationError(error.message) from None


class Text(fields.String):
    """Text a database can keep: no NUL characters, no lone surrogates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Remove the NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Send valid Unicode text.") from None
        return text


class IsoDate(fields.Date):
    """A date written YYYY-MM-DD (and nothing else Python's parser would take)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise ValidationError("Write the date as YYYY-MM-DD.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError("That date does not exist.") from None


class Timestamp(fields.AwareDateTime):
    """A moment in UTC to the second, as every database keeps it (MariaDB drops fractions), so
    a response right after a write says what every later read will."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = value.replace(microsecond=0)
        return super()._serialize(value, attr, obj, **kwargs)


def whole(**kwargs):
    """A whole number (never a string or a fraction)."""
    return fields.Integer(strict=True, **kwargs)


def an_id(strict: bool = True, **kwargs):
    """A database id; in a query string it comes as text."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


# Problems


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For invalid input: the messages of each field at fault."},
    )
    days = fields.List(
        fields.Nested("StopDaySchema"),
        metadata={
            "description": "A timer stop to confirm: each day it ran, the minutes timed and "
            "the minutes the day still holds. Send `minutes` per day to stop it."
        },
    )


class StopDaySchema(Schema):
    date = fields.Date(required=True)
    minutes = fields.Integer(required=True)
    fits = fields.Integer(required=True)


# The account


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(TOKEN_SCOPES))
    expires_at = Timestamp(required=True, allow_none=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    timezone = fields.String(required=True)
    week_start = fields.String(required=True, validate=validate.OneOf(("monday", "sunday")))
    today = fields.Date(required=True, metadata={"description": "Today in your time zone."})
    token = fields.Nested(TokenInfoSchema, required=True)


# Habits


class HabitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    target_minutes = fields.Integer(required=True, allow_none=True)
    target_period = fields.String(required=True, validate=validate.OneOf(TARGET_PERIODS))
    target_direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    target_times = fields.Integer(required=True, allow_none=True)
    archived = fields.Boolean(required=True)
    created_at = Timestamp(required=True)


class HabitListSchema(Schema):
    items = fields.List(fields.Nested(HabitSchema), required=True)


def habit_fields(partial: bool) -> dict:
    """The fields a habit is written with; defaults only when it is created."""

    def default(value):
        return {} if partial else {"load_default": value}

    return {
        "name": Text(
            required=not partial,
            validate=RuleCheck(services.check_name),
            metadata={
                "minLength": 1,
                "maxLength": NAME_MAX,
                "description": "Unique among your habits in any letter case.",
            },
        ),
        "category": Text(
            validate=RuleCheck(services.check_category),
            metadata={"maxLength": CATEGORY_MAX, "description": "Empty for none."},
            **default(""),
        ),
        "kind": fields.String(validate=validate.OneOf(KINDS), **default("time")),
        "target_minutes": whole(
            allow_none=True,
            # The documented range whatever the kind; the period's own limit is the service's.
            validate=validate.Range(1, MAX_WEEK_MINUTES, error=MINUTES_RULE),
            metadata={
                "minimum": 1,
                "maximum": MAX_WEEK_MINUTES,
                "description": f"Time habits: 1–{MAX_DAY_MINUTES} a day or "
                f"1–{MAX_WEEK_MINUTES} a week; null for no target.",
            },
            **default(None),
        ),
        "target_period": fields.String(validate=validate.OneOf(TARGET_PERIODS), **default("day")),
        "target_direction": fields.String(
            validate=validate.OneOf(DIRECTIONS), **default("at_least")
        ),
        "target_times": whole(
            allow_none=True,
            # The documented range whatever the kind (a time habit ignores the value).
            validate=validate.Range(1, MAX_TIMES_PER_WEEK, error=TIMES_RULE),
            metadata={
                "minimum": 1,
                "maximum": MAX_TIMES_PER_WEEK,
                "description": "Weekly check habits: times a week.",
            },
            **default(None),
        ),
    }


HabitCreateSchema = StrictSchema.from_dict(habit_fields(False), name="HabitCreate")
HabitUpdateSchema = StrictSchema.from_dict(habit_fields(True), name="HabitUpdate")


class HabitListArgs(StrictSchema):
    archived = fields.Boolean(
        metadata={"description": "true: archived habits only; false: active ones; omitted: all."}
    )


# Logs


class LogSchema(Schema):
    id = fields.Integer(required=True)
    habit_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    minutes = fields.Integer(required=True)
    note = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class LogPageSchema(Schema):
    items = fields.List(fields.Nested(LogSchema), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last one."},
    )


MINUTES_FIELD = {
    "validate": RuleCheck(services.check_minutes),
    "metadata": {"minimum": 1, "maximum": MAX_DAY_MINUTES, "description": "Whole minutes."},
}
NOTE_FIELD = {
    "allow_none": True,
    "validate": RuleCheck(services.check_note),
    "metadata": {"maxLength": NOTE_MAX},
}


class LogCreateSchema(StrictSchema):
    habit_id = an_id(required=True, metadata={"description": "One of your active time habits."})
    date = IsoDate(metadata={"description": "Today in your time zone when left out."})
    minutes = whole(required=True, **MINUTES_FIELD)
    note = Text(**NOTE_FIELD)


class LogUpdateSchema(StrictSchema):
    habit_id = an_id()
    date = IsoDate()
    minutes = whole(**MINUTES_FIELD)
    note = Text(**NOTE_FIELD)


class LogListArgs(StrictSchema):
    habit_id = an_id(strict=False)
    category = Text(validate=RuleCheck(services.check_category), metadata={"maxLength": 40})
    start = IsoDate(metadata={"description": "The first day, inclusive."})
    end = IsoDate(metadata={"description": "The last day, inclusive."})
    cursor = fields.String(
        validate=validate.Length(1, 100), metadata={"description": "From `next_cursor`."}
    )
    limit = fields.Integer(
        validate=validate.Range(1, 200), load_default=50, metadata={"description": "Per page."}
    )


# Checks, skips and breaks


class DayEntrySchema(Schema):
    habit_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    note = fields.String(required=True, allow_none=True)


class DayEntryCreateSchema(StrictSchema):
    date = IsoDate(metadata={"description": "Today in your time zone when left out."})
    note = Text(**NOTE_FIELD)


class BreakSchema(Schema):
    id = fields.Integer(required=True)
    start = fields.Date(required=True, attribute="start_date")
    end = fields.Date(required=True, attribute="end_date")
    habits = fields.List(
        fields.Integer(),
        required=True,
        allow_none=True,
        metadata={"description": "The habits it excuses; null for every habit."},
    )
    note = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class BreakListSchema(Schema):
    items = fields.List(fields.Nested(BreakSchema), required=True)


class BreakCreateSchema(StrictSchema):
    start = IsoDate(required=True, metadata={"description": "The first excused day."})
    end = IsoDate(required=True, metadata={"description": "The last excused day."})
    habits = fields.List(
        an_id(),
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={"description": "Habit ids; null (or left out) for every habit."},
    )
    note = Text(**NOTE_FIELD)


# The timer


class TimerSchema(Schema):
    id = fields.Integer(required=True)
    habit_id = fields.Integer(required=True)
    started_at = Timestamp(required=True)
    note = fields.String(required=True, allow_none=True)
    seconds = fields.Integer(required=True, metadata={"description": "How long it has run."})


class StopResultSchema(Schema):
    habit_id = fields.Integer(required=True)
    minutes = fields.Integer(required=True, metadata={"description": "Minutes logged."})
    too_short = fields.Boolean(
        required=True, metadata={"description": "It ran under 30 seconds: nothing was logged."}
    )
    logs = fields.List(fields.Nested(LogSchema), required=True)


class TimerStateSchema(Schema):
    running = fields.Boolean(required=True)
    timer = fields.Nested(TimerSchema, required=True, allow_none=True)
    stopped = fields.Nested(
        StopResultSchema,
        allow_none=True,
        metadata={"description": "On a start: the timer it stopped first, if one was running."},
    )


class TimerStartSchema(StrictSchema):
    habit_id = an_id(required=True, metadata={"description": "One of your active time habits."})
    started_at = fields.AwareDateTime(
        metadata={
            "description": "When it started (default now): not in the future, at most 24 hours "
            "ago, and not before the start of a timer already running."
        }
    )
    note = Text(**NOTE_FIELD)


class TimerStopSchema(StrictSchema):
    timer_id = an_id(metadata={"description": "The timer you confirm (from GET /timer)."})
    minutes = fields.Dict(
        keys=IsoDate(),
        values=whole(validate=validate.Range(0, MAX_DAY_MINUTES)),
        metadata={"description": "Minutes to log per day it ran, when asked to confirm."},
    )
