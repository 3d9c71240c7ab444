"""The analytics document (the same as /analytics/data.json), described for the OpenAPI
document."""

from marshmallow import Schema, fields, validate


class DayMinutesSchema(Schema):
    date = fields.Date(required=True)
    minutes = fields.Integer(required=True)


class TotalsSchema(Schema):
    minutes = fields.Integer(required=True)
    days = fields.Integer(required=True)
    active_days = fields.Integer(required=True)
    average_per_day = fields.Float(required=True)
    average_per_active_day = fields.Float(required=True)
    best_day = fields.Nested(DayMinutesSchema, required=True, allow_none=True)
    previous_period_minutes = fields.Integer(required=True)


class HabitNumbersSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    archived = fields.Boolean(required=True)
    target_minutes = fields.Integer(required=True, allow_none=True)
    target_period = fields.String(required=True)
    kind = fields.String(required=True)
    target_direction = fields.String(required=True)
    target_times = fields.Integer(required=True, allow_none=True)
    minutes = fields.Integer(required=True)
    days_logged = fields.Integer(required=True)
    checks = fields.Integer(required=True)
    skipped_days = fields.Integer(required=True)
    target_success_rate = fields.Float(required=True, allow_none=True)
    current_streak = fields.Integer(required=True)
    longest_streak = fields.Integer(required=True)
    week_streak = fields.Integer(required=True, allow_none=True)
    score = fields.Float(required=True)


class RangeSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class CategoryMinutesSchema(Schema):
    category = fields.String(required=True)
    minutes = fields.Integer(required=True)


class PointSchema(Schema):
    start = fields.Date(required=True)
    minutes = fields.Integer(required=True)


class SeriesSchema(Schema):
    bucket = fields.String(required=True, validate=validate.OneOf(("day", "week", "month")))
    points = fields.List(fields.Nested(PointSchema), required=True)


class WeekdaySchema(Schema):
    weekday = fields.Integer(required=True)
    minutes = fields.Integer(required=True)
    average = fields.Float(required=True)


class AnalyticsSchema(Schema):
    range = fields.Nested(RangeSchema, required=True)
    totals = fields.Nested(TotalsSchema, required=True)
    habits = fields.List(fields.Nested(HabitNumbersSchema), required=True)
    categories = fields.List(fields.Nested(CategoryMinutesSchema), required=True)
    series = fields.Nested(SeriesSchema, required=True)
    daily = fields.List(fields.Nested(DayMinutesSchema), required=True)
    weekdays = fields.List(fields.Nested(WeekdaySchema), required=True)
