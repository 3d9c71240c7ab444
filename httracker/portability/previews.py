"""An import in two steps: the uploaded file is read and checked, kept (compressed) as an
ImportPreview for an hour, and shown; confirming imports it in one transaction, cancelling
deletes it. Nothing reaches the account before the confirmation."""

import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Habit, ImportPreview, User, fold, utcnow
from .importing import check_import, import_data
from .records import Conversion, ImportResult
from .sources import SOURCE_NAMES, read_source

PREVIEW_LIFETIME = timedelta(hours=1)
# Previews an account keeps at once; a new upload drops the oldest beyond these.
MAX_PREVIEWS = 3
KIND_NAMES = {"time": "time", "check": "check-offs"}


@dataclass(frozen=True)
class HabitLine:
    """One habit of the file: created, or matched by name to one of the account's."""

    name: str
    kind: str
    target: str
    existing: str | None
    logs: int
    checks: int
    skips: int


@dataclass(frozen=True)
class PreviewSummary:
    """What confirming would add, and what the file holds that will not come across."""

    source: str
    habits: list[HabitLine]
    logs: int
    checks: int
    skips: int
    breaks: int
    already_there: int
    first_day: date | None
    last_day: date | None
    notes: list[str]
    mappings: tuple[tuple[str, str], ...]
    mapping: str

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES[self.source]

    @property
    def new_habits(self) -> int:
        return sum(1 for habit in self.habits if habit.existing is None)


def summarise(user: User, conversion: Conversion) -> PreviewSummary:
    """Check the file as the import will (ImportRejected lists every broken rule) and say
    what confirming it would add. Writes nothing; the caller rolls back the lock it takes."""
    parsed = conversion.data
    plan = check_import(user, parsed)
    query = select(Habit.name_key, Habit.name).where(Habit.user_id == user.id)
    existing = dict(db.session.execute(query).tuples().all())
    per_habit: dict[str, Counter] = {}
    for kind, records in (("logs", plan.new_logs), ("checks", plan.days.checks),
                          ("skips", plan.days.skips)):  # fmt: skip
        for record in records:
            per_habit.setdefault(fold(record.habit), Counter())[kind] += 1
    lines = []
    for key, record in parsed.habits.items():
        counts = per_habit.get(key, Counter())
        lines.append(
            HabitLine(
                record.name,
                KIND_NAMES.get(record.kind, record.kind),
                _target_text(record),
                existing.get(key),
                counts["logs"],
                counts["checks"],
                counts["skips"],
            )
        )
    days = [entry.date for entry in (*parsed.logs, *parsed.checks, *parsed.skips)]
    return PreviewSummary(
        conversion.source,
        lines,
        len(plan.new_logs),
        len(plan.days.checks),
        len(plan.days.skips),
        len(plan.days.breaks),
        plan.skipped_logs + plan.days.already_there,
        min(days, default=None),
        max(days, default=None),
        conversion.notes,
        conversion.mappings,
        conversion.mapping,
    )


def _target_text(record) -> str:
    if record.kind == "check":
        if record.target_period == "week":
            return f"{record.target_times} times a week"
        return "once a day"
    if record.target_minutes is None:
        return "no target"
    words = "at most" if record.target_direction == "at_most" else "at least"
    return f"{words} {record.target_minutes} minutes a {record.target_period}"


def save_preview(user: User, filename: str, data: bytes, conversion: Conversion) -> ImportPreview:
    """Keep the file for its confirmation; expired previews (anyone's) and the account's
    oldest beyond MAX_PREVIEWS go."""
    now = utcnow()
    mine = ImportPreview.user_id == user.id
    db.session.execute(delete(ImportPreview).where(ImportPreview.expires_at <= now))
    kept = db.session.scalars(
        select(ImportPreview.id)
        .where(mine)
        .order_by(ImportPreview.id.desc())
        .offset(MAX_PREVIEWS - 1)
    ).all()
    if kept:
        db.session.execute(delete(ImportPreview).where(ImportPreview.id.in_(kept)))
    preview = ImportPreview(
        user_id=user.id,
        filename=(filename or "file")[:255],
        source=conversion.source,
        mapping=conversion.mapping,
        content=zlib.compress(data, 6),
        created_at=now,
        expires_at=now + PREVIEW_LIFETIME,
    )
    db.session.add(preview)
    db.session.flush()
    return preview


def get_preview_or_404(user: User, preview_id: int) -> ImportPreview:
    """One of the user's previews that has not expired; any other id is a 404."""
    preview = db.session.scalar(
        select(ImportPreview).where(
            ImportPreview.id == preview_id,
            ImportPreview.user_id == user.id,
            ImportPreview.expires_at > utcnow(),
        )
    )
    if preview is None:
        abort(404)
    return preview


def conversion_of(preview: ImportPreview, max_entries: int) -> Conversion:
    """The preview's file read again, with the mapping chosen for it."""
    data = zlib.decompress(preview.content)
    return read_source(data, preview.source, max_entries, preview.mapping)


def confirm_preview(user: User, preview: ImportPreview, max_entries: int) -> ImportResult:
    """Import the previewed file (all or nothing) and drop the preview, in one transaction."""
    result = import_data(user, conversion_of(preview, max_entries).data)
    db.session.delete(preview)
    return result


def cancel_preview(preview: ImportPreview) -> None:
    db.session.delete(preview)
