"""The write side of each habit's stored state (derived.py): every write that changes a
habit's entries or rule moves its checkpoint back, in the write's own transaction."""

from collections.abc import Iterable
from datetime import date
from functools import cache

from sqlalchemy import (
    CTE,
    Date,
    Delete,
    Integer,
    Update,
    bindparam,
    case,
    delete,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Habit, HabitMonthTotal, HabitStatsState
from . import derived
from .resume import DAY, month_start

STATS = HabitStatsState.__table__
MONTHS = HabitMonthTotal.__table__


def _build(by_habit: bool, from_day: bool, *only_if, one: bool = False) -> tuple[Update, Delete]:
    """`invalidate`'s two statements for one shape of call (some habits or all; from a day or
    from the start), with the values as parameters (owner, habits, last_valid; with `one`,
    the one habit as `habit`); `only_if` conditions both."""
    scope = [STATS.c.user_id == bindparam("owner"), *only_if]
    rows = delete(MONTHS).where(MONTHS.c.user_id == bindparam("owner"), *only_if)
    if one:
        scope.append(STATS.c.habit_id == bindparam("habit"))
        rows = rows.where(MONTHS.c.habit_id == bindparam("habit"))
    elif by_habit:
        scope.append(STATS.c.habit_id.in_(bindparam("habits", expanding=True)))
        rows = rows.where(MONTHS.c.habit_id.in_(bindparam("habits", expanding=True)))
    checkpoint = None
    if from_day:
        last_valid = bindparam("last_valid", type_=Date)
        checkpoint = case((STATS.c.checkpoint > last_valid, last_valid), else_=STATS.c.checkpoint)
        rows = rows.where(MONTHS.c.month > last_valid)
    change = update(STATS).where(*scope).values(checkpoint=checkpoint, version=STATS.c.version + 1)
    return change, rows


@cache
def _moves(by_habit: bool, from_day: bool) -> tuple[Update, Delete]:
    """`_build`, once per shape of call: most old-day writes run them under the account's lock,
    where every moment counts."""
    return _build(by_habit, from_day)


def moves_after(written: CTE) -> tuple[CTE, CTE]:
    """`invalidate`'s two statements for one habit from a day, as CTEs of the statement that
    writes the day's entry (`written`: a CTE of the rows it wrote), which move nothing when it
    wrote nothing: the state rows moved (their habit_id) and the months dropped. Parameters
    from `move_values`; afterwards the caller calls `moved_after` with the count of the first."""
    wrote = exists(select(written))
    change, rows = _build(True, True, wrote)
    return change.returning(STATS.c.habit_id).cte("states_moved"), rows.cte("months_dropped")


def moves_after_one(written: CTE) -> tuple[CTE, CTE, CTE]:
    """`moves_after` for one habit (`habit`, with `owner` and `last_valid`), in a statement
    that is all its transaction writes, committed with nothing after it: it also gives the
    habit a state row when it has none, as `moved_after` would (the third CTE). A row a racing
    read added after the statement's snapshot is a conflict: its version moves, so that read
    loses."""
    wrote = exists(select(written))
    change, rows = _build(True, True, wrote, one=True)
    states = change.returning(STATS.c.habit_id).cte("states_moved")
    row = select(
        bindparam("habit", type_=Integer), bindparam("owner", type_=Integer), literal(1, Integer)
    ).where(wrote, ~exists(select(states)))
    added = (
        postgresql.insert(STATS)
        .from_select(["habit_id", "user_id", "version"], row)
        .on_conflict_do_update(
            index_elements=[STATS.c.habit_id, STATS.c.user_id],
            set_={"version": STATS.c.version + 1},
        )
        .cte("states_added")
    )
    return states, rows.cte("months_dropped"), added


def needed(day: date) -> bool:
    """Whether an entry on `day` moves stored state back (see `invalidate`)."""
    return not derived.within_current_month(day)


def move_values(user_id: int, habit_ids: list[int] | None, day: date | None) -> dict:
    """The parameters of the statements that move these habits' state back before `day`."""
    values: dict = {"owner": user_id}
    if habit_ids is not None:
        values["habits"] = habit_ids
    if day is not None:
        values["last_valid"] = month_start(month_start(day - derived.WEEK_REACH) - DAY)
    return values


def moved_after(values: dict, states_moved: int) -> None:
    """After a statement with `moves_after` wrote its entry, with these `move_values`: a habit
    without a state row gets one, as after `invalidate`."""
    if states_moved != len(values["habits"]):
        _add_missing(values["owner"], values["habits"], _moves(True, True)[0], values)


def invalidate(user_id: int, habit_ids: Iterable[int] | None = None, day: date | None = None):
    """Move the checkpoint of these habits (None: every habit of the user) back before `day`
    (None: before everything). Call it in the transaction of every write that changes a habit's
    logs, checks, skips or breaks on `day` or its rule, or the user's time zone or week start.
    An entry in the current month changes no stored month: nothing to do."""
    ids = None if habit_ids is None else sorted(set(habit_ids))
    if ids == [] or (day is not None and not needed(day)):
        return
    change, rows = _moves(ids is not None, day is not None)
    values = move_values(user_id, ids, day)
    result = db.session.execute(change, values)
    if ids is None or result.rowcount != len(ids):
        _add_missing(user_id, ids, change, values)
    db.session.execute(rows, values)


def _add_missing(user_id: int, ids: list[int] | None, change, values: dict) -> None:
    """Give habits without a state row one (nothing valid yet), so a read that raced this write
    has a version to lose against."""
    known = select(HabitStatsState.habit_id).where(HabitStatsState.user_id == user_id)
    habits = select(Habit.id, Habit.user_id).where(Habit.user_id == user_id, Habit.id.not_in(known))
    if ids is not None:
        habits = habits.where(Habit.id.in_(ids))
    missing = [{"habit_id": h, "user_id": u, "version": 1} for h, u in db.session.execute(habits)]
    if not missing:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(HabitStatsState), missing)
    except IntegrityError:
        # A racing write added them first: bump the versions it wrote.
        db.session.execute(change, values)
