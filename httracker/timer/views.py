"""Start, stop and discard the timer. The stop page shows the minutes per day before saving,
for a timer that ran over 12 hours or into a day that cannot hold them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..changes import RuleBroken, commit_change
from ..durations import format_minutes
from ..formatting import short_date
from ..habits.queries import get_habit_or_404
from ..models import utcnow
from ..security import safe_next
from ..timeutil import zone
from . import bp, services
from .clock import parse_started
from .forms import ConfirmStopForm, StartTimerForm
from .header import running_timer_header
from .services import ConfirmationNeeded, DayRefused, StopResult


@bp.app_context_processor
def timer_header():
    """Every page's header asks `running_timer()` for the timer to show (or None)."""
    return {"running_timer": running_timer_header}


def back():
    """Redirect to a safe `next` from the form, else to the dashboard."""
    return redirect(safe_next(request.form.get("next"), url_for("habits.dashboard")))


def stopped_message(result: StopResult) -> str:
    """What a stop did, in one sentence."""
    name = result.habit.name
    if result.too_short:
        return f"Stopped the timer of {name} after under 30 seconds: nothing logged."
    if not result.logs:
        return f"Stopped the timer of {name}: nothing logged."
    text = f"Stopped the timer: logged {format_minutes(result.minutes)} of {name}"
    if len(result.logs) > 1:
        days = ", ".join(
            f"{format_minutes(log.minutes)} on {short_date(log.date)}" for log in result.logs
        )
        text += f" ({days})"
    return text + "."


def add_error(form, error: RuleBroken) -> None:
    """Show a rule's message on the field it names, else above the form."""
    field = form._fields.get(error.field)
    if field is not None:
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


@bp.route("/start", methods=["POST"])
@login_required
def start():
    """Start timing a habit (stopping and logging a running timer first)."""
    form = StartTimerForm()
    habit = get_habit_or_404(current_user, form.habit_id.data)
    now = utcnow()
    if form.validate_on_submit():
        try:
            started_at = parse_started(form.started.data, now, current_user.timezone)
            result = commit_change(
                lambda: services.start_timer(current_user, habit, now, started_at, form.note.data)
            )
        except ConfirmationNeeded as needed:
            flash(f"{needed.message} Then start {habit.name}.", "warning")
            return redirect(url_for("timer.stop"))
        except RuleBroken as error:
            add_error(form, error)
        else:
            if result.stopped is not None:
                flash(stopped_message(result.stopped), "success")
            flash(f"Started the timer for {habit.name}.", "success")
            return back()
    return render_template("timer/start.html", form=form, habit=habit), 400


@bp.route("/stop", methods=["GET", "POST"])
@login_required
def stop():
    """Stop the timer and log its minutes (POST from a Stop button); the page that shows the
    minutes per day and saves what the person confirms (GET, and its POST)."""
    if request.method == "POST" and "timer_id" not in request.form:
        return stop_now()
    now = utcnow()
    timer = services.running_timer(current_user)
    if timer is None:
        flash(services.NOT_RUNNING, "info")
        return redirect(url_for("habits.dashboard"))
    plan = services.plan_stop(current_user, timer, now)
    form = ConfirmStopForm()
    if not form.is_submitted():
        form.timer_id.data = timer.id
        for day in plan.days:
            form.days.append_entry({"date": day.date, "minutes": min(day.minutes, day.fits)})
    elif form.validate():
        minutes = form.confirmed_minutes()
        if minutes is not None:
            response = save_confirmed(form, now, minutes)
            if response is not None:
                return response
    status = 400 if form.is_submitted() else 200
    started_local = timer.started_at.astimezone(zone(current_user.timezone))
    page = render_template("timer/stop.html", form=form, plan=plan, started_local=started_local)
    return page, status


def save_confirmed(form: ConfirmStopForm, now, minutes: dict):
    """Stop the timer with the confirmed minutes; a redirect, or None with the form's errors."""
    try:
        result = commit_change(
            lambda: services.stop_timer(
                current_user, now, minutes=minutes, timer_id=form.timer_id.data
            )
        )
    except DayRefused as error:
        for entry in form.days:
            if entry.form.date.data == error.day:
                entry.form.minutes.errors.append(error.message)
        return None
    except RuleBroken as error:
        if error.field != "timer":
            add_error(form, error)
            return None
        flash(error.message, "warning")
        return redirect(url_for("timer.stop"))
    flash(stopped_message(result), "success")
    return redirect(url_for("habits.dashboard"))


def stop_now():
    """Stop the timer at once, or send the person to the stop page when it needs them."""
    try:
        result = commit_change(lambda: services.stop_timer(current_user, utcnow()))
    except ConfirmationNeeded as needed:
        flash(needed.message, "warning")
        return redirect(url_for("timer.stop"))
    except RuleBroken as error:
        flash(error.message, "info")
        return back()
    flash(stopped_message(result), "success")
    return back()


@bp.route("/discard", methods=["POST"])
@login_required
def discard():
    """End the timer without logging anything."""
    try:
        habit = commit_change(lambda: services.discard_timer(current_user))
    except RuleBroken as error:
        flash(error.message, "info")
        return back()
    flash(f"Discarded the timer of {habit.name}: nothing logged.", "success")
    return back()
