"""Dashboard and habit pages."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..analytics import report
from ..analytics.panels import dashboard_panel, habit_panel
from ..changes import RuleBroken, commit_change
from ..durations import format_minutes
from ..extensions import db
from ..mail import mail_enabled
from ..mail.reminders import set_reminder
from ..pagecache import cached_page
from ..security import safe_next
from ..timeutil import user_today, week_start_of
from . import bp, entries, queries, services
from .colours import next_colour
from .forms import DURATION_HELP, HabitForm, QuickLogForm
from .targets import Target
from .week import week_grid


def redirect_next(default: str):
    """Redirect to a safe `next` from the form or query string, else to `default`."""
    return redirect(safe_next(request.form.get("next") or request.args.get("next"), default))


def save_habit(form, service, *habit):
    """Create or update (`service`) a habit from the form (its colour too), and set its reminder
    when the site sends mail; the habit."""
    habit = service(current_user, *habit, *habit_fields(form), **habit_options(form))
    if mail_enabled():
        set_reminder(habit, form.reminder_time.data, form.reminder_weekdays.data)
    return habit


def habit_fields(form) -> tuple:
    """The habit form's values in the order the services take them."""
    target = Target(
        form.target_minutes.data,
        form.target_period.data,
        form.kind.data,
        form.target_direction.data,
        form.target_times.data,
    )
    return (form.name.data, form.category.data or "", target)


def habit_options(form) -> dict:
    """The habit form's keyword values (the colour)."""
    return {"colour": form.colour.data}


@bp.route("/")
def index():
    """The dashboard for a logged-in user, else the login page."""
    if current_user.is_authenticated:
        return redirect(url_for("habits.dashboard"))
    return redirect(url_for("auth.login"))


def render_dashboard(today, quick_form=None, failed_habit_id=None, status=200):
    """The dashboard as of today: a quick log per active habit, today's total and analytics."""
    habits = list(db.session.scalars(queries.habits_of(current_user, active=True)))
    today_minutes = queries.day_minutes_by_habit(current_user, today)
    panel = dashboard_panel(current_user, today, habits)
    week_days, grid = week_grid(current_user, habits, today)
    # Once per login: an account on UTC may just never have chosen its zone.
    utc_notice = utc_notice_due()
    if utc_notice:
        session["utc_notice_shown"] = True
    page = render_template(
        "habits/dashboard.html",
        today=today,
        habits=habits,
        week_days=week_days,
        grid=grid,
        new_habit_id=request.args.get("new", type=int),
        utc_notice=utc_notice,
        today_minutes=today_minutes,
        today_total=sum(today_minutes.values()),
        quick_form=quick_form or QuickLogForm(formdata=None),
        failed_habit_id=failed_habit_id,
        analytics=panel,
        progress={row["habit"].id: row for row in panel["progress"]},
    )
    return page, status


def utc_notice_due() -> bool:
    """Whether this session is yet to be told its account is on UTC (once per login)."""
    return current_user.timezone == "UTC" and not session.get("utc_notice_shown")


@bp.route("/dashboard")
@login_required
@cached_page(skip=utc_notice_due)
def dashboard():
    """Today at a glance, with a quick log for every active habit."""
    return render_dashboard(report.today_for(current_user))


@bp.route("/habits/<int:habit_id>/log", methods=["POST"])
@login_required
def quick_log(habit_id: int):
    """Log minutes for today (in the user's zone) against an active habit."""
    habit = queries.get_habit_or_404(current_user, habit_id, active_only=True)
    today = report.today_for(current_user)
    form = QuickLogForm()
    name = habit.name  # read before the commit expires it
    if form.validate_on_submit() and commit_change(
        lambda: services.add_log(current_user, habit, today, form.minutes.data),
        form,
    ):
        flash(f"Logged {format_minutes(form.minutes.data)} of {name} today.", "success")
        return redirect_next(url_for("habits.dashboard"))
    return render_dashboard(today, form, habit.id, 400)


@bp.route("/habits/")
@login_required
@cached_page()
def list_habits():
    """Active habits, then archived ones, with this week's minutes and the last log date."""
    week_start = week_start_of(user_today(current_user), current_user.week_start)
    rows = queries.habit_summaries(current_user, week_start)
    active = [row for row in rows if not row[0].archived]
    archived = [row for row in rows if row[0].archived]
    return render_template(
        "habits/list.html", active=active, archived=archived, week_start=week_start
    )


def habit_form_page(form: HabitForm, habit=None):
    """The create/edit form; 400 when a submission was rejected."""
    status = 400 if form.is_submitted() else 200
    categories = queries.categories_of(current_user)
    page = render_template(
        "habits/habit_form.html",
        form=form,
        habit=habit,
        categories=categories,
        duration_help=DURATION_HELP,
    )
    return page, status


@bp.route("/habits/new", methods=["GET", "POST"])
@login_required
def new_habit():
    """Create a habit."""
    form = HabitForm()
    if not form.is_submitted():
        form.colour.data = next_colour(queries.colours_of(current_user))
    if form.validate_on_submit():
        habit = commit_change(lambda: save_habit(form, services.create_habit), form)
        if habit is not None:
            flash(f"Created habit {habit.name}: log its first day from its row here.", "success")
            # The dashboard, the new habit's row highlighted: its first day is one press away.
            return redirect_next(
                url_for("habits.dashboard", new=habit.id, _anchor=f"habit-{habit.id}")
            )
    return habit_form_page(form)


@bp.route("/habits/<int:habit_id>")
@login_required
@cached_page()
def detail(habit_id: int):
    """A habit's details, its recent logs and its analytics."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    return render_template(
        "habits/detail.html",
        habit=habit,
        logs=queries.recent_logs(current_user, habit),
        entries=entries.latest_entries(current_user, habit, ("check", "skip")),
        analytics=habit_panel(current_user, habit, report.today_for(current_user)),
    )


@bp.route("/habits/<int:habit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(habit_id: int):
    """Change a habit's name, category or target."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    form = HabitForm(obj=habit)
    if form.validate_on_submit() and commit_change(
        lambda: save_habit(form, services.update_habit, habit), form
    ):
        flash(f"Saved habit {habit.name}.", "success")
        return redirect_next(url_for("habits.detail", habit_id=habit.id))
    return habit_form_page(form, habit)


def set_archived(habit_id: int, archived: bool):
    """Archive or restore a habit, keeping its logs."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    try:
        commit_change(lambda: services.set_archived(habit, archived))
    except RuleBroken as error:
        flash(error.message, "error")
        return redirect_next(url_for("habits.detail", habit_id=habit.id))
    verb = "Archived" if archived else "Restored"
    flash(f"{verb} habit {habit.name}.", "success")
    return redirect_next(url_for("habits.list_habits"))


@bp.route("/habits/<int:habit_id>/archive", methods=["POST"])
@login_required
def archive(habit_id: int):
    """Archive a habit: it leaves the quick log and the log form."""
    return set_archived(habit_id, True)


@bp.route("/habits/<int:habit_id>/unarchive", methods=["POST"])
@login_required
def unarchive(habit_id: int):
    """Bring an archived habit back."""
    return set_archived(habit_id, False)


@bp.route("/habits/<int:habit_id>/delete", methods=["GET", "POST"])
@login_required
def delete(habit_id: int):
    """Confirm (GET) and delete (POST) a habit with all its logs."""
    habit = queries.get_habit_or_404(current_user, habit_id)
    if request.method == "POST":
        name = habit.name
        commit_change(lambda: services.delete_habit(habit))
        flash(f"Deleted habit {name} and its logs.", "success")
        return redirect_next(url_for("habits.list_habits"))
    count = queries.log_count(current_user, habit)
    return render_template("habits/delete.html", habit=habit, log_count=count)
