"""The log list's entries: logged minutes, checks and skipped days in one newest-first list,
read a page at a time with a fixed number of queries whatever the history."""

from dataclasses import dataclass
from datetime import date
from math import ceil

from sqlalchemy import func, literal_column, null, select, union_all

from ..extensions import db
from ..models import Habit, HabitCheck, HabitLog, HabitSkip, User
from .queries import filter_entries

# The kinds of entry in list order (logs first within a day), and what each is called.
ENTRY_MODELS = {"log": HabitLog, "check": HabitCheck, "skip": HabitSkip}
ENTRY_KINDS = tuple(ENTRY_MODELS)


@dataclass(frozen=True)
class Entry:
    """One row of the list: a log (with minutes), a check or a skip."""

    kind: str
    id: int
    habit: Habit
    date: date
    minutes: int | None
    note: str | None


@dataclass(frozen=True)
class EntryPage:
    """One page of entries, with the count of each kind across every page."""

    items: list[Entry]
    page: int
    per_page: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def entries_of(user: User, kinds: tuple[str, ...], **filters):
    """The user's entries of these kinds matching `filters` (see filter_entries), as one
    subquery with the columns kind (its place in ENTRY_KINDS), id, habit_id, date, minutes
    and note."""
    branches = []
    for rank, kind in enumerate(ENTRY_KINDS):
        if kind not in kinds:
            continue
        model = ENTRY_MODELS[kind]
        minutes = model.minutes if model is HabitLog else null()
        query = select(
            literal_column(str(rank)).label("kind"),
            model.id.label("id"),
            model.habit_id.label("habit_id"),
            model.date.label("date"),
            minutes.label("minutes"),
            model.note.label("note"),
        ).where(model.user_id == user.id)
        branches.append(filter_entries(query, model, user, **filters))
    return (union_all(*branches) if len(branches) > 1 else branches[0]).subquery()


def entry_page(
    user: User,
    habits: dict[int, Habit],
    kinds: tuple[str, ...],
    page: int,
    per_page: int,
    **filters,
) -> EntryPage:
    """One page of entries, newest first (logs, then checks, then skips within a day), in two
    queries; `habits` holds the user's habits by id."""
    entries = entries_of(user, kinds, **filters)
    counts = dict.fromkeys(kinds, 0)
    for rank, count in db.session.execute(
        select(entries.c.kind, func.count()).group_by(entries.c.kind)
    ):
        counts[ENTRY_KINDS[int(rank)]] = int(count)
    rows = db.session.execute(
        select(entries)
        .order_by(entries.c.date.desc(), entries.c.kind, entries.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [
        Entry(
            ENTRY_KINDS[int(row.kind)],
            row.id,
            habits[row.habit_id],
            row.date,
            row.minutes,
            row.note,
        )
        for row in rows
    ]
    return EntryPage(items, page, per_page, counts)


def latest_entries(user: User, habit: Habit, kinds: tuple[str, ...], limit: int = 20) -> list:
    """A habit's latest entries of these kinds, newest first (one query)."""
    entries = entries_of(user, kinds, habit_id=habit.id)
    rows = db.session.execute(
        select(entries)
        .order_by(entries.c.date.desc(), entries.c.kind, entries.c.id.desc())
        .limit(limit)
    )
    return [
        Entry(ENTRY_KINDS[int(row.kind)], row.id, habit, row.date, row.minutes, row.note)
        for row in rows
    ]
