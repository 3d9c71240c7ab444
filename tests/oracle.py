"""A brute-force reference for every per-habit number: one day at a time, straight from the
rules as the README states them, sharing no code with the application."""

from datetime import date, timedelta
from math import ceil, sqrt

ONE_DAY = timedelta(days=1)


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def week_of(day: date, week_start: str) -> date:
    first_weekday = 0 if week_start == "monday" else 6
    while day.weekday() != first_weekday:
        day -= ONE_DAY
    return day


class Reference:
    """One habit: `habit` holds kind, target_period, target_direction, target_minutes,
    target_times; `minutes` maps day → minutes, `checks` and `skips` are sets of days."""

    def __init__(self, habit, minutes, checks, skips, created, today, week_start):
        self.kind = habit["kind"]
        self.period = habit["target_period"]
        self.direction = habit["target_direction"]
        self.target = habit["target_minutes"] if self.kind == "time" else habit["target_times"]
        self.minutes, self.checks, self.skips = minutes, checks, skips
        self.today, self.week_start = today, week_start
        entries = sorted(checks) if self.kind == "check" else sorted(minutes)
        if self.kind == "time" and self.direction == "at_most":
            self.begin = min([created, *entries[:1]])
        else:
            self.begin = entries[0] if entries else None

    # -- one day -------------------------------------------------------------------------
    def weekly(self):
        return self.period == "week" and self.target is not None

    def limit(self):
        return self.kind == "time" and self.direction == "at_most"

    def done(self, day):
        if self.kind == "check":
            return day in self.checks
        if self.limit():
            if not self.weekly():
                return self.minutes.get(day, 0) <= self.target
            spent = 0  # the week so far, without its excused days
            for earlier in every_day(week_of(day, self.week_start), day):
                if earlier == day:
                    return spent + self.minutes.get(day, 0) <= self.target
                if not self.excused(earlier):
                    spent += self.minutes.get(earlier, 0)
        if self.target is not None and not self.weekly():
            return self.minutes.get(day, 0) >= self.target
        return self.minutes.get(day, 0) > 0

    def excused(self, day):
        """A skipped day is excused unless an entry on it (logs, a check-off) made it done."""
        entry = day in self.checks if self.kind == "check" else day in self.minutes
        return day in self.skips and not (entry and self.done(day))

    def state(self, day):
        if self.excused(day):
            return "skipped"
        return "done" if self.done(day) else "missed"

    # -- streaks -------------------------------------------------------------------------
    def streak_runs(self):
        if self.begin is None:
            return []
        found, current = [], []
        for day in every_day(self.begin, self.today):
            state = self.state(day)
            if state == "done":
                current.append(day)
            elif state == "missed" and current:
                found.append((current[0], current[-1], len(current)))
                current = []
        if current:
            found.append((current[0], current[-1], len(current)))
        return found

    def current_streak(self):
        if self.begin is None:
            return 0
        day = self.today
        if self.state(day) == "missed":
            day -= ONE_DAY
        count = 0
        while day >= self.begin and self.state(day) != "missed":
            count += self.state(day) == "done"
            day -= ONE_DAY
        return count

    def best_runs(self):
        return sorted(self.streak_runs(), key=lambda run: (run[2], run[1]), reverse=True)[:5]

    # -- weeks ---------------------------------------------------------------------------
    def week_met(self, first):
        week = every_day(first, first + timedelta(days=6))
        excused = [day for day in week if self.excused(day)]
        if len(excused) == 7:
            return None
        if self.kind == "check":
            counted = sum(day in self.checks for day in week if day not in excused)
        else:
            counted = sum(self.minutes.get(day, 0) for day in week if day not in excused)
        if self.limit():
            return counted <= self.target
        return counted >= ceil(self.target * (7 - len(excused)) / 7)

    def week_streak(self):
        if not self.weekly():
            return None
        if self.begin is None:
            return 0
        week = week_of(self.today, self.week_start)
        if self.week_met(week) is False:
            week -= timedelta(days=7)
        count = 0
        while week >= week_of(self.begin, self.week_start) and self.week_met(week) is not False:
            count += bool(self.week_met(week))
            week -= timedelta(days=7)
        return count

    # -- score and rates -----------------------------------------------------------------
    def score(self):
        if self.begin is None:
            return 0.0
        f = 1
        if self.weekly():
            f = self.target / 7 if self.kind == "check" else 1 / 7
        m = 0.5 ** (sqrt(f) / 13)
        score = 0.0
        for day in every_day(self.begin, self.today):
            if self.state(day) == "skipped":
                continue
            last7 = every_day(day - timedelta(days=6), day)
            if self.limit():
                value = 1.0 if self.done(day) else 0.0
            elif self.kind == "check" and self.weekly():
                value = min(1, sum(d in self.checks for d in last7) / self.target)
            elif self.kind == "check":
                value = 1.0 if day in self.checks else 0.0
            elif self.weekly():
                value = min(1, sum(self.minutes.get(d, 0) for d in last7) / self.target)
            elif self.target is not None:
                value = min(1, self.minutes.get(day, 0) / self.target)
            else:
                value = 1.0 if self.minutes.get(day, 0) else 0.0
            score = score * m + value * (1 - m)
        return score * 100

    def span(self, start, end):
        if self.begin is None or max(start, self.begin) > min(end, self.today):
            return []
        return every_day(max(start, self.begin), min(end, self.today))

    def skipped_days(self, start, end):
        return sum(self.state(day) == "skipped" for day in self.span(start, end))

    def success_rate(self, start, end):
        if self.target is None:
            return None
        days = self.span(start, end)
        if self.weekly():
            weeks = sorted({week_of(day, self.week_start) for day in days})
            results = [self.week_met(week) for week in weeks]
            counted = [result for result in results if result is not None]
            return sum(counted) / len(counted) if counted else None
        counted = [day for day in days if self.state(day) != "skipped"]
        if not counted:
            return None
        return sum(self.state(day) == "done" for day in counted) / len(counted)
