"""Template filters: dates people read with the ISO date kept for machines, and durations."""

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from .durations import format_hmm, format_minutes
from .forms import csrf_field
from .timeutil import zone


def readable_date(day: date | datetime | None) -> str:
    """'Fri 27 Nov 2026'."""
    if day is None:
        return ""
    return f"{day:%a} {day.day} {day:%b %Y}"


def short_date(day: date | datetime | None) -> str:
    """'Fri 27 Nov' — for lists where the year is obvious."""
    if day is None:
        return ""
    return f"{day:%a} {day.day} {day:%b}"


def readable_datetime(moment: datetime | None) -> str:
    """'Fri 27 Nov 2026, 14:05'."""
    if moment is None:
        return ""
    return f"{readable_date(moment)}, {moment:%H:%M}"


def _time_element(iso: str, text: str) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(iso, text)


def time_tag(day: date | datetime | None, short: bool = False) -> Markup:
    """<time datetime="2026-11-27">Fri 27 Nov 2026</time>; datetimes keep their time too."""
    if day is None:
        return Markup("")
    if isinstance(day, datetime):
        return _time_element(day.isoformat(timespec="minutes"), readable_datetime(day))
    return _time_element(day.isoformat(), short_date(day) if short else readable_date(day))


def local_time_tag(moment: datetime | None, zone_name: str) -> Markup:
    """A stored UTC moment as the clock showed it in `zone_name`: 'Fri 27 Nov 2026, 23:05
    JST', the exact UTC moment kept for machines."""
    if moment is None:
        return Markup("")
    local = moment.astimezone(zone(zone_name))
    text = f"{readable_datetime(local)} {local.tzname() or zone_name}"
    return _time_element(moment.isoformat(timespec="seconds"), text)


def target(habit) -> str:
    """A habit's target as '30m / day', 'at most 1h / day', '3 times / week' or 'once a
    day'."""
    if habit.kind == "check":
        if habit.target_period == "day":
            return "once a day"
        times = habit.target_times or 1
        return f"{'once' if times == 1 else f'{times} times'} / week"
    if not habit.target_minutes:
        return "No target"
    limit = "at most " if habit.target_direction == "at_most" else ""
    return f"{limit}{format_minutes(habit.target_minutes)} / {habit.target_period}"


def without_none(attributes: dict) -> dict:
    """HTML attributes minus those set to None (WTForms would render them as "None")."""
    return {name: value for name, value in attributes.items() if value is not None}


def register(app: Flask) -> None:
    """Make the filters, and the form's CSRF field, available to every template."""
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.filters.update(
        readable_date=readable_date,
        short_date=short_date,
        readable_datetime=readable_datetime,
        time_tag=time_tag,
        local_time_tag=local_time_tag,
        duration=format_minutes,
        hmm=format_hmm,
        target=target,
        without_none=without_none,
    )
