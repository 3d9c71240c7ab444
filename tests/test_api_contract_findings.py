"""API edge cases found by the contract run: a log deleted after the request read it is a 404
and never a failed UPDATE; target_times is held to its documented range."""

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
