"""The stored analytics state against the brute-force reference: random sequences of every
kind of write (logs added, moved and deleted, checks, skips, breaks, target, kind and direction
changes, time zone and week start, habits archived, deleted and created), days passing, and
reads; after every read every number equals a computation from nothing (tests/oracle.py), and
`flask stats check` finds no difference. Every read also fetches `/analytics/data.json` as the
user does, from the store of rendered pages (pagecache.py) when it has the page, and it must
equal the same page rendered afresh: no write leaves a kept page behind."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from httracker import versions
from httracker.analytics import derived, report, stats_check
from httracker.analytics.params import Params
from httracker.auth.services import create_user, set_preferences
from httracker.changes import RuleBroken, commit
from httracker.extensions import db
from httracker.habits import days as day_services
from httracker.habits import services
from httracker.habits.targets import Target
from httracker.models import (
    Habit,
    HabitBreak,
    HabitBreakHabit,
    HabitCheck,
    HabitLog,
    HabitSkip,
    User,
)
from httracker.pagecache import EXTENSION
from httracker.timeutil import today_in

from .oracle import Reference

START = date(2023, 1, 20)  # the first "today"; days go back about fourteen months from it
SPAN = 430
ZONES = ("UTC", "Pacific/Kiritimati", "America/St_Johns")
TARGETS = [
    ("time", Target(None, "day")),
    ("time", Target(30, "day")),
    ("time", Target(150, "week")),
    ("time", Target(60, "day", direction="at_most")),
    ("time", Target(200, "week", direction="at_most")),
    ("check", Target(kind="check", period="day", times=1)),
    ("check", Target(kind="check", period="week", times=3)),
]
RANGES = ("30d", "365d", "all", "custom")
usernames = count()
PASSWORD = "pw" * 8


def on_own_thread(call):
    """Run `call` (a request) on a thread of its own: its own app context and database session,
    as on a server, not the machine's."""
    out = {}

    def run():
        try:
            out["value"] = call()
        except BaseException as error:  # noqa: BLE001  (re-raised on the test's thread)
            out["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def habit_dict(habit: Habit) -> dict:
    return {
        "kind": habit.kind,
        "target_period": habit.target_period,
        "target_direction": habit.target_direction,
        "target_minutes": habit.target_minutes,
        "target_times": habit.target_times,
    }


def references(user: User, habits: list[Habit], today: date) -> dict[int, Reference]:
    """Each habit's reference, from plain SELECTs of its rows."""
    found = {}
    for habit in habits:
        minutes: dict[date, int] = {}
        for day, spent in db.session.execute(
            select(HabitLog.date, HabitLog.minutes).where(HabitLog.habit_id == habit.id)
        ):
            minutes[day] = minutes.get(day, 0) + spent
        checks = set(
            db.session.scalars(select(HabitCheck.date).where(HabitCheck.habit_id == habit.id))
        )
        skips = set(
            db.session.scalars(select(HabitSkip.date).where(HabitSkip.habit_id == habit.id))
        )
        for brk in db.session.scalars(select(HabitBreak).where(HabitBreak.user_id == user.id)):
            covered = brk.all_habits or db.session.scalar(
                select(HabitBreakHabit.habit_id).where(
                    HabitBreakHabit.break_id == brk.id, HabitBreakHabit.habit_id == habit.id
                )
            )
            if covered:
                day = brk.start_date
                while day <= brk.end_date:
                    skips.add(day)
                    day += timedelta(days=1)
        created = today_in(user.timezone, habit.created_at)
        found[habit.id] = Reference(
            habit_dict(habit), minutes, checks, skips, created, today, user.week_start
        )
    return found


@pytest.mark.parametrize("seed", [0])
def test_random_writes_and_reads_match_the_reference(app, seed, monkeypatch):
    # Writes ask the latest date on Earth whether a day is in the current month (no stored
    # month to move back); here it is the machine's today, so those writes are drawn too.
    clock = {"today": START}
    monkeypatch.setattr(derived, "latest_today", lambda: clock["today"])
    monkeypatch.setattr(report, "today_for", lambda user: clock["today"])

    def afresh(client, url):
        with monkeypatch.context() as patch:
            patch.setitem(app.extensions, EXTENSION, None)
            return client.get(url)

    class Machine(RuleBasedStateMachine):
        @initialize(
            kinds=st.lists(st.integers(0, len(TARGETS) - 1), min_size=2, max_size=4),
            backs=st.lists(st.integers(0, SPAN), min_size=4, max_size=4),
            logs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, SPAN)), max_size=30),
        )
        def start(self, kinds, backs, logs):
            self.ctx = app.app_context()
            self.ctx.push()
            number = next(usernames)
            self.user = create_user(f"machine{number}", f"m{number}@example.org", PASSWORD)
            commit()
            self.client = app.test_client()
            login = {"login": f"machine{number}", "password": PASSWORD}
            db.session.rollback()  # the request's transaction must not wait on this one
            answer = on_own_thread(lambda: self.client.post("/auth/login", data=login))
            assert answer.status_code == 302
            on_own_thread(lambda: self.client.get("/settings/"))  # shows the login's message
            self.today = clock["today"] = START
            for kind, back in zip(kinds, backs, strict=False):
                self.create(kind, back)
            habits = self.habits()
            for pick, back in logs:
                habit = habits[pick % len(habits)]
                if habit.kind == "check":
                    self.check(pick, back, False)
                else:
                    self.add_log(pick, back, 20 + back % 50)

        def teardown(self):
            db.session.rollback()
            self.ctx.pop()

        # ---- helpers --------------------------------------------------------------------
        def habits(self, kind=None) -> list[Habit]:
            query = select(Habit).where(Habit.user_id == self.user.id).order_by(Habit.id)
            found = list(db.session.scalars(query))
            return [habit for habit in found if kind is None or habit.kind == kind]

        def day(self, back: int) -> date:
            return self.today - timedelta(days=back)

        def write(self, change):
            try:
                change()
            except RuleBroken:
                db.session.rollback()
                return
            commit()

        # ---- writes ---------------------------------------------------------------------
        @rule(kind=st.integers(0, len(TARGETS) - 1), back=st.integers(0, SPAN))
        def create(self, kind, back):
            _kind, chosen = TARGETS[kind]

            def change():
                habit = services.create_habit(self.user, f"H{next(usernames)}", "", chosen)
                moment = datetime.combine(self.day(back), time(23, 30), UTC)
                habit.created_at = moment
                db.session.flush()

            if len(self.habits()) < 6:
                self.write(change)

        @rule(
            pick=st.integers(0, 9),
            back=st.integers(0, SPAN),
            minutes=st.integers(1, 240),
            as_request=st.booleans(),
        )
        def add_log(self, pick, back, minutes, as_request=False):
            if as_request:
                # As a request does: its user read first in the transaction, its version noted
                # (the lock then reads no habit again; on PostgreSQL the lock, then the log and
                # its state's move in one statement, committed in the same round trip).
                db.session.rollback()
                db.session.refresh(self.user)
                versions.seen(db.session(), self.user)
            habits = self.habits("time")
            if habits:
                habit, day = habits[pick % len(habits)], self.day(back)

                def change():
                    # As the log form does: by the habit's id alone first, committed with it,
                    # then the usual way.
                    user = self.user
                    unread = as_request and services.add_log_unread(
                        user, habit.id, day, minutes, commit=True
                    )
                    if not unread:
                        services.add_log(user, habit, day, minutes)

                self.write(change)

        @rule(
            pick=st.integers(0, 99),
            to=st.integers(0, 9),
            back=st.integers(0, SPAN),
            minutes=st.integers(1, 240),
        )
        def move_log(self, pick, to, back, minutes):
            logs = list(
                db.session.scalars(
                    select(HabitLog).where(HabitLog.user_id == self.user.id).order_by(HabitLog.id)
                )
            )
            habits = self.habits("time")
            if logs and habits:
                log, habit = logs[pick % len(logs)], habits[to % len(habits)]
                self.write(
                    lambda: services.update_log(
                        self.user, log, habit, self.day(back), minutes, None
                    )
                )

        @rule(pick=st.integers(0, 99))
        def delete_log(self, pick):
            logs = list(
                db.session.scalars(
                    select(HabitLog).where(HabitLog.user_id == self.user.id).order_by(HabitLog.id)
                )
            )
            if logs:
                self.write(lambda: services.delete_log(logs[pick % len(logs)]))

        @rule(pick=st.integers(0, 9), back=st.integers(0, SPAN), undo=st.booleans())
        def check(self, pick, back, undo):
            habits = self.habits("check")
            if habits:
                habit = habits[pick % len(habits)]
                call = day_services.uncheck_day if undo else day_services.check_day
                self.write(lambda: call(self.user, habit, self.day(back)))

        @rule(pick=st.integers(0, 9), back=st.integers(-5, SPAN), undo=st.booleans())
        def skip(self, pick, back, undo):
            habits = self.habits()
            if habits:
                habit = habits[pick % len(habits)]
                call = day_services.unskip_day if undo else day_services.skip_day
                self.write(lambda: call(self.user, habit, self.day(back)))

        @rule(
            back=st.integers(0, SPAN),
            length=st.integers(0, 20),
            all_habits=st.booleans(),
            pick=st.integers(0, 9),
        )
        def add_break(self, back, length, all_habits, pick):
            habits = self.habits()
            chosen = None if all_habits or not habits else [habits[pick % len(habits)]]
            start = self.day(back)
            self.write(
                lambda: day_services.add_break(
                    self.user, start, start + timedelta(days=length), chosen
                )
            )

        @rule(pick=st.integers(0, 9))
        def delete_break(self, pick):
            breaks = list(
                db.session.scalars(
                    select(HabitBreak)
                    .where(HabitBreak.user_id == self.user.id)
                    .order_by(HabitBreak.id)
                )
            )
            if breaks:
                self.write(lambda: day_services.delete_break(breaks[pick % len(breaks)]))

        @rule(pick=st.integers(0, 9), choice=st.integers(0, len(TARGETS) - 1))
        def change_target(self, pick, choice):
            habits = self.habits()
            if habits:
                habit = habits[pick % len(habits)]
                _kind, chosen = TARGETS[choice]
                self.write(
                    lambda: services.update_habit(
                        self.user, habit, habit.name, habit.category, chosen
                    )
                )

        @rule(zone=st.sampled_from(ZONES), week_start=st.sampled_from(["monday", "sunday"]))
        def preferences(self, zone, week_start):
            self.write(lambda: set_preferences(self.user, zone, week_start))

        @rule(pick=st.integers(0, 9), delete=st.booleans())
        def archive_or_delete(self, pick, delete):
            habits = self.habits()
            if habits:
                habit = habits[pick % len(habits)]
                if delete:
                    self.write(lambda: services.delete_habit(habit))
                else:
                    self.write(lambda: services.set_archived(habit, not habit.archived))

        @rule(days=st.integers(1, 45))
        def time_passes(self, days):
            self.today += timedelta(days=days)
            clock["today"] = self.today

        # ---- reads ----------------------------------------------------------------------
        @rule(which=st.sampled_from(RANGES), back=st.integers(0, SPAN), length=st.integers(0, 200))
        def read(self, which, back, length):
            db.session.rollback()  # the requests' transactions must not wait on this one
            for url in ("/analytics/data.json?range=30d", "/analytics/data.json?range=all"):
                served = on_own_thread(lambda url=url: self.client.get(url))
                fresh = on_own_thread(lambda url=url: afresh(self.client, url))
                assert served.status_code == fresh.status_code == 200, url
                assert served.get_json() == fresh.get_json(), url
            habits = self.habits()
            today = self.today
            refs = references(self.user, habits, today)
            stats = report.habit_stats(self.user, habits, today)
            for habit in habits:
                got, ref = stats[habit.id], refs[habit.id]
                where = (habit_dict(habit), today)
                assert got.current_streak == ref.current_streak(), where
                assert got.best_streaks == tuple(ref.best_runs()), where
                assert got.longest_streak == max(
                    (run[2] for run in ref.streak_runs()), default=0
                ), where
                assert got.week_streak == ref.week_streak(), where
                assert got.score == pytest.approx(ref.score(), abs=0.051), where
            if which == "custom":
                start = self.day(back)
                params = Params(None, start, start + timedelta(days=length), None, None)
            else:
                params = Params(which, None, None, None, None)
            data = report.overview(self.user, params, today, habits)
            for row in data.habits:
                ref = refs[row.habit.id]
                where = (habit_dict(row.habit), today, data.start, data.end)
                assert row.skipped_days == ref.skipped_days(data.start, data.end), where
                rate = ref.success_rate(data.start, data.end)
                if rate is None:
                    assert row.target_success_rate is None, where
                else:
                    assert row.target_success_rate == pytest.approx(rate, abs=1e-4), where
                assert row.minutes == sum(
                    m for d, m in ref.minutes.items() if data.start <= d <= data.end
                ), where
                assert row.checks == sum(1 for d in ref.checks if data.start <= d <= data.end)
            db.session.rollback()

        @precondition(lambda self: hasattr(self, "user"))
        @invariant()
        def stored_state_matches(self):
            assert stats_check.differences(self.user, self.today) == []
            db.session.rollback()

    run = settings(
        max_examples=20,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Machine, settings=run)
