"""Time log pages: the filtered list of logs, checks and skips, and creating, editing and
deleting logs."""

from flask import flash, render_template, request, url_for
from flask_login import current_user, login_required

from ..changes import commit, commit_change
from ..durations import format_minutes
from ..extensions import db
from ..formatting import readable_date
from ..pagecache import cached_page
from ..security import MAX_ID, safe_next
from ..timeutil import user_today
from . import bp, queries, services
from .entries import ENTRY_KINDS, entry_page
from .forms import DURATION_HELP, LogFilterForm, LogForm
from .views import redirect_next

PER_PAGE = 50
FILTER_KEYS = ("habit_id", "category", "start", "end", "entry")


def log_filters(form: LogFilterForm) -> dict:
    """The filters of a validated filter form, leaving out fields with errors."""
    return {
        "habit_id": None if form.habit_id.errors else form.habit_id.data or None,
        "category": None if form.category.errors else form.category.data or None,
        "start": form.start.data if not form.start.errors else None,
        "end": form.end.data if not form.end.errors else None,
    }


def entry_kinds(form: LogFilterForm) -> tuple[str, ...]:
    """The kinds of entry the list shows: the one chosen, else all of them."""
    if form.entry.errors or not form.entry.data:
        return ENTRY_KINDS
    return (form.entry.data,)


@bp.route("/logs/")
@login_required
@cached_page()
def list_logs():
    """The user's logs, checks and skipped days, newest first, filtered and paged, with the
    total minutes logged; each can be found here and edited or taken back."""
    habits = list(db.session.scalars(queries.habits_of(current_user)))
    form = LogFilterForm(request.args)
    form.set_choices(habits, queries.categories_of(current_user))
    valid = form.validate()
    filters = log_filters(form)
    kinds = entry_kinds(form)
    # Past the last page the list is simply empty; beyond any possible row it is clamped.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_ID // PER_PAGE)
    pagination = entry_page(
        current_user, {habit.id: habit for habit in habits}, kinds, page, PER_PAGE, **filters
    )
    args = {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
    return render_template(
        "habits/logs.html",
        form=form,
        pagination=pagination,
        entries=pagination.items,
        kinds=kinds,
        total=queries.logs_total(current_user, **filters) if "log" in kinds else None,
        filtered=any(value is not None for value in filters.values()) or len(kinds) == 1,
        page_args=args,
        has_habits=bool(habits),
    ), (200 if valid else 400)


def log_unread(form: LogForm) -> str | None:
    """The log of a submission whose every other field is valid, written without reading its
    habit first (services.add_log_unread), and committed: the habit's name. None when nothing
    was written so, or where nothing can be (services.logs_unread); the caller goes the usual
    way."""
    if form.habit_id.data is None or not services.logs_unread():
        return None
    form.take_the_habit_named()
    if not form.validate():
        return None
    day, minutes, note = form.date.data, form.minutes.data, form.note.data
    habit_id = form.habit_id.data
    written = services.add_log_unread(current_user, habit_id, day, minutes, note, commit=True)
    if written is None:
        return None
    if db.session().in_transaction():  # after the one round trip (log_trip.py) it has ended
        commit()
    return written[1]


def log_form_page(form: LogForm, log=None):
    """The create/edit log form; 400 when a submission was rejected."""
    status = 400 if form.is_submitted() else 200
    page = render_template("habits/log_form.html", form=form, log=log, duration_help=DURATION_HELP)
    return page, status


@bp.route("/logs/new", methods=["GET", "POST"])
@login_required
def new_log():
    """Log minutes against one of the user's active habits."""
    form = LogForm()
    if form.is_submitted():
        chosen = form.habit_id.data
        name = log_unread(form)
        if name is None:
            # A submission is checked against the one habit it names, read alone: the only
            # choice it could make is that habit, when it is the user's and active.
            habit = None if chosen is None else queries.active_habit(current_user, chosen)
            form.set_habits([] if habit is None else [habit])
            if form.validate():
                day, minutes, note = form.date.data, form.minutes.data, form.note.data
                logged = habit.name  # as read: the committed habit would be read again
                log = commit_change(
                    lambda: services.add_log(current_user, habit, day, minutes, note), form
                )
                name = None if log is None else logged
        if name is not None:
            # From what was sent: the committed log would be read again for the message.
            flash(
                f"Logged {format_minutes(form.minutes.data)} of {name} on "
                f"{readable_date(form.date.data)}.",
                "success",
            )
            return redirect_next(url_for("habits.list_logs"))
    else:
        form.date.data = user_today(current_user)
        form.habit_id.data = request.args.get("habit_id", type=int)
    # The form offers every active habit.
    form.set_habits(db.session.scalars(queries.habits_of(current_user, active=True)))
    return log_form_page(form)


@bp.route("/logs/<int:log_id>/edit", methods=["GET", "POST"])
@login_required
def edit_log(log_id: int):
    """Correct a log's habit, date, minutes or note."""
    log = queries.get_log_or_404(current_user, log_id)
    form = LogForm(obj=log)
    # A log may stay on its archived habit; moving it goes to an active one only.
    choices = [
        habit
        for habit in db.session.scalars(queries.habits_of(current_user))
        if not habit.archived or habit.id == log.habit_id
    ]
    form.set_habits(choices)
    if form.validate_on_submit():
        habit = queries.get_habit_or_404(
            current_user, form.habit_id.data, active_only=form.habit_id.data != log.habit_id
        )
        saved = commit_change(
            lambda: services.update_log(
                current_user, log, habit, form.date.data, form.minutes.data, form.note.data
            ),
            form,
        )
        if saved is not None:
            flash(
                f"Saved the log of {habit.name} on {readable_date(log.date)}: "
                f"{format_minutes(log.minutes)}.",
                "success",
            )
            return redirect_next(url_for("habits.list_logs"))
    return log_form_page(form, log)


@bp.route("/logs/<int:log_id>/delete", methods=["GET", "POST"])
@login_required
def delete_log(log_id: int):
    """Confirm (GET) and delete (POST) one log."""
    log = queries.get_log_or_404(current_user, log_id)
    habit = queries.get_habit_or_404(current_user, log.habit_id)
    if request.method == "GET":
        back = safe_next(request.args.get("next"), url_for("habits.list_logs"))
        return render_template("habits/log_delete.html", log=log, habit=habit, back=back)
    summary = f"{format_minutes(log.minutes)} of {habit.name} on {readable_date(log.date)}"
    commit_change(lambda: services.delete_log(log))
    flash(f"Deleted the log of {summary}.", "success")
    return redirect_next(url_for("habits.list_logs"))
