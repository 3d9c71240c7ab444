"""The target rule on Habit gives the same answer in Python and in SQL, on every database."""

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.models import Habit

# (target_minutes, target_period) -> (weekly target?, minutes that make a day done)
RULE = {
    (None, "day"): (False, 1),
    (None, "week"): (False, 1),
    (45, "day"): (False, 45),
    (150, "week"): (True, 1),
}


@pytest.mark.parametrize(("target", "expected"), RULE.items())
def test_python_and_sql_agree(app, make_user, target, expected):
    owner = make_user("alice")
    minutes, period = target
    with app.app_context():
        habit = Habit(
            user_id=owner.id, name="Reading", target_minutes=minutes, target_period=period
        )
        db.session.add(habit)
        db.session.flush()
        in_python = (habit.weekly_target, habit.done_threshold)
        in_sql = db.session.execute(
            select(Habit.weekly_target, Habit.done_threshold).where(Habit.id == habit.id)
        ).one()
        db.session.rollback()
    assert in_python == expected
    assert (bool(in_sql[0]), in_sql[1]) == expected


def test_sql_filters_by_the_rule(app, make_user):
    owner = make_user("alice")
    with app.app_context():
        for number, (minutes, period) in enumerate(RULE):
            db.session.add(
                Habit(
                    user_id=owner.id,
                    name=f"Habit {number}",
                    target_minutes=minutes,
                    target_period=period,
                )
            )
        db.session.flush()
        weekly = db.session.scalars(select(Habit.target_minutes).where(Habit.weekly_target)).all()
        over_one = db.session.scalars(
            select(Habit.target_minutes).where(Habit.done_threshold > 1)
        ).all()
        db.session.rollback()
    assert weekly == [150]
    assert over_one == [45]
