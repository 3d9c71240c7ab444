"""API edge cases found by the contract run: a log deleted after the request read it is a 404
and never a failed UPDATE; target_times and target_minutes are held to their documented ranges
whatever the habit's kind."""

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
