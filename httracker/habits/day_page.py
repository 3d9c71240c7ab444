"""A habit's day: /habits/<id>/days/<YYYY-MM-DD> shows the day's minutes, check and skip, and
takes one change at a time through the same services as every other entry point. It is what
a week-grid cell links to; the site's script opens it in place on the dashboard."""

import re
from datetime import date

from flask import abort, flash, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..analytics import report
from ..changes import RuleBroken, commit_change
from ..durations import format_minutes
from ..extensions import db
from ..formatting import readable_date
from ..models import HabitCheck, HabitLog, HabitSkip
from ..timeutil import EARLIEST_DATE
from . import bp, days, queries, services
from .days import PLAN_AHEAD
from .forms import DURATION_HELP, DayEntryForm
from .views import redirect_next
from .week import day_entries, make_cell

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# What each action does, through the services; and its flash when it changed something and
# when it did not (formatted with the habit, the day and the minutes).
MESSAGES = {
    "log": ("Logged {minutes} of {habit} on {day}.", ""),
    "correct": ("Changed the log of {habit} on {day} to {minutes}.", ""),
    "delete": ("Deleted the log of {minutes} of {habit} on {day}.", ""),
    **days.DAY_MESSAGES,
}
ADDS = {"log", "correct", "check", "skip"}


def parse_day(text: str) -> date:
    """The page's day; 404 for anything that is not a day the app can hold an entry for."""
    if not ISO_DAY.fullmatch(text):
        abort(404)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if day < EARLIEST_DATE or day > today_of_user() + PLAN_AHEAD:
        abort(404)
    return day


def today_of_user() -> date:
    return report.today_for(current_user)


def day_logs(habit, day: date) -> list[HabitLog]:
    query = select(HabitLog).where(
        HabitLog.user_id == current_user.id, HabitLog.habit_id == habit.id, HabitLog.date == day
    )
    return list(db.session.scalars(query.order_by(HabitLog.id)))


def day_notes(habit, day: date) -> dict[str, str | None]:
    """The notes of the day's check and skip (None where there is no entry or no note)."""
    return {
        name: db.session.scalar(
            select(model.note).where(
                model.user_id == current_user.id, model.habit_id == habit.id, model.date == day
            )
        )
        for name, model in (("check", HabitCheck), ("skip", HabitSkip))
    }


def day_log_or_rule(habit, day: date, log_id: int | None) -> HabitLog:
    """The log of this habit and day with this id (another user's or day's id is refused)."""
    for log in day_logs(habit, day):
        if log.id == log_id:
            return log
    raise RuleBroken("log_id", "Choose one of this day's logs.")


def run_action(habit, day: date, form: DayEntryForm):
    """Do the form's action; (changed, minutes shown in the flash)."""
    action, note, user = form.action.data, form.note.data, current_user
    if action in ADDS and habit.archived:
        raise RuleBroken("action", f"{habit.name} is archived: restore it first.")
    if action == "log":
        log = services.add_log(user, habit, day, form.minutes.data, note)
        return True, log.minutes
    if action == "correct":
        log = day_log_or_rule(habit, day, form.log_id.data)
        # A form without the note field keeps the note; with it, an empty note clears it.
        note = note if form.note.raw_data else log.note
        services.update_log(user, log, habit, day, form.minutes.data, note)
        return True, log.minutes
    if action == "delete":
        log = day_log_or_rule(habit, day, form.log_id.data)
        minutes = log.minutes
        services.delete_log(log)
        return True, minutes
    change = {
        "check": lambda: days.check_day(user, habit, day, note),
        "uncheck": lambda: days.uncheck_day(user, habit, day),
        "skip": lambda: days.skip_day(user, habit, day, note),
        "unskip": lambda: days.unskip_day(user, habit, day),
        "check_note": lambda: days.set_day_note(user, HabitCheck, habit, day, note),
        "skip_note": lambda: days.set_day_note(user, HabitSkip, habit, day, note),
    }[action]
    return change(), 0


@bp.route("/habits/<int:habit_id>/days/<day>", methods=["GET", "POST"])
@login_required
def day_page(habit_id: int, day: str):
    """One habit's day, with a form for each change; a change returns to the dashboard."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    the_day = parse_day(day)
    form = DayEntryForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            done = commit_change(lambda: run_action(habit, the_day, form), form)
            if done is not None:
                changed, minutes = done
                message = MESSAGES[form.action.data][0 if changed else 1]
                flash(
                    message.format(
                        habit=habit.name,
                        day=readable_date(the_day),
                        minutes=format_minutes(minutes),
                    ),
                    "success" if changed else "info",
                )
                return redirect_next(url_for("habits.dashboard", _anchor=f"habit-{habit.id}"))
    found = day_entries(current_user, the_day, the_day, habit.id)
    minutes, checked, skipped = found.get((habit.id, the_day), (0, False, False))
    page = render_template(
        "habits/day.html",
        habit=habit,
        day=the_day,
        today=today_of_user(),
        cell=make_cell(habit, the_day, minutes, checked, skipped),
        logs=day_logs(habit, the_day) if habit.kind == "time" else [],
        notes=day_notes(habit, the_day),
        form=form,
        duration_help=DURATION_HELP,
    )
    return page, status
