"""API edge cases found by the contract run: a log deleted after the request read it is a 404
and never a failed UPDATE; target_times and target_minutes are held to their documented ranges
whatever the habit's kind."""

from httracker.changes import commit_change
from httracker.extensions import db
from httracker.habits import services
from httracker.models import Habit, HabitLog, User

from .test_api_resources import new_habit


def test_updating_a_log_deleted_meanwhile_is_a_404(app, api):
    piano = new_habit(api, name="Piano")
    violin = new_habit(api, name="Violin")
    log = api.post("/api/v1/logs", json={"habit_id": piano["id"], "minutes": 30}).get_json()
    with app.app_context():
        user = db.session.get(User, api.user.id)
        stale = db.session.get(HabitLog, log["id"])
        target = db.session.get(Habit, violin["id"])
        # This request's read ends (SQLite would hold its lock); the objects stay as read.
        db.session().expire_on_commit = False
        db.session.commit()
        # Another request deletes the log after this one read it.
        with db.engine.begin() as other:
            other.execute(HabitLog.__table__.delete().where(HabitLog.id == log["id"]))
        try:
            services.update_log(user, stale, target, stale.date, 45, None)
        except Exception as error:  # noqa: BLE001 - the kind of error is the assertion
            raised = error
        else:
            raised = None
        db.session.rollback()
    assert type(raised).__name__ == "NotFound"
    assert api.patch(f"/api/v1/logs/{log['id']}", json={"minutes": 45}).status_code == 404


def test_target_times_outside_the_documented_range_is_refused_with_the_forms_message(api):
    from httracker.habits.targets import TIMES_RULE

    for times in (0, 8):
        response = api.post(
            "/api/v1/habits", json={"name": f"Gym {times}", "kind": "time", "target_times": times}
        )
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"target_times": [TIMES_RULE]}


def test_target_minutes_outside_the_documented_range_is_refused_for_every_kind(api):
    from httracker.habits.targets import MINUTES_RULE

    habit = new_habit(api, name="Stretch", kind="check")
    for minutes in (0, 7 * 1440 + 1):
        for kind in ("check", "time"):
            body = {"name": f"Read {kind} {minutes}", "kind": kind, "target_minutes": minutes}
            response = api.post("/api/v1/habits", json=body)
            assert response.status_code == 422
            assert response.get_json()["errors"] == {"target_minutes": [MINUTES_RULE]}
        response = api.patch(f"/api/v1/habits/{habit['id']}", json={"target_minutes": minutes})
        assert response.status_code == 422
    assert api.get(f"/api/v1/habits/{habit['id']}").get_json()["target_minutes"] is None
    assert [h["name"] for h in api.get("/api/v1/habits").get_json()["items"]] == ["Stretch"]


def _deleted_meanwhile(app, habit_id: int, change) -> str | None:
    """Run `change(user, habit)` with the habit as a request read it, after another request
    deleted it; the name of the error it raised (None when it raised nothing)."""
    with app.app_context():
        session = db.session()
        user, habit = session.get(User, app.config["API_USER_ID"]), session.get(Habit, habit_id)
        session.expire_on_commit = False
        session.commit()
        with db.engine.begin() as other:
            other.execute(Habit.__table__.delete().where(Habit.id == habit_id))
        try:
            commit_change(lambda: change(user, habit))
        except Exception as error:  # noqa: BLE001 - the kind of error is the assertion
            return type(error).__name__
        finally:
            session.rollback()
    return None


def test_writing_for_a_habit_deleted_meanwhile_is_a_404(app, api):
    from datetime import date

    from httracker.habits import days
    from httracker.habits.targets import Target
    from httracker.models.base import utcnow
    from httracker.timer import services as timers

    app.config["API_USER_ID"] = api.user.id
    day = date(2026, 1, 5)
    log = api.post(
        "/api/v1/logs",
        json={"habit_id": new_habit(api, name="Cello")["id"], "minutes": 5, "date": "2026-01-05"},
    ).get_json()
    changes = {
        "log": lambda user, habit: services.add_log(user, habit, day, 30),
        "moved log": lambda user, habit: services.update_log(
            user, db.session.get(HabitLog, log["id"]), habit, day, 30, None
        ),
        "check": lambda user, habit: days.check_day(user, habit, day),
        "skip": lambda user, habit: days.skip_day(user, habit, day),
        "break": lambda user, habit: days.add_break(user, day, day, [habit]),
        "timer": lambda user, habit: timers.start_timer(user, habit, now=utcnow()),
        "rename": lambda user, habit: services.update_habit(user, habit, "Renamed", "", Target()),
    }
    kinds = {"check": "check"}
    raised = {}
    for name, change in changes.items():
        habit = new_habit(api, name=f"Gone {name}", kind=kinds.get(name, "time"))
        raised[name] = _deleted_meanwhile(app, habit["id"], change)
    assert raised == dict.fromkeys(changes, "NotFound")
    # Nothing was written for any of them, and the moved log stayed where it was.
    assert api.get(f"/api/v1/logs/{log['id']}").get_json()["minutes"] == 5
    assert api.get("/api/v1/breaks").get_json()["items"] == []
    assert api.get("/api/v1/timer").get_json().get("running") in (None, False)
