"""Range and filter parameters of the analytics pages: ?range=… or ?start=…&end=…, habit_id,
category. Anything malformed becomes a RangeError with a message fit for a 400 page."""

from dataclasses import dataclass
from datetime import date, timedelta

from ..models import CATEGORY_MAX
from ..timeutil import ISO_DATE

PRESETS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
RANGE_CHOICES = (*PRESETS, "all")
DEFAULT_RANGE = "30d"
MAX_RANGE_YEARS = 20
# Far wider than any log (logs start in 2000), narrow enough that the previous period and the
# 20-year check stay within Python's dates.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class RangeError(ValueError):
    """A parameter that cannot be understood; the message says what is accepted."""


@dataclass(frozen=True)
class Params:
    range: str | None  # a preset name, or None for explicit start/end
    start: date | None
    end: date | None
    habit_id: int | None
    category: str | None

    def resolve(self, today: date, first_log: date | None) -> tuple[date, date]:
        """The inclusive (start, end) of the range; `all` starts at the first log."""
        if self.range is None:
            return self.start, self.end
        if self.range == "all":
            return min(first_log or today, today), today
        return today - timedelta(days=PRESETS[self.range] - 1), today

    def query_args(self, **changes) -> dict:
        """URL parameters for a link that keeps these parameters except `changes`."""
        args = {
            "range": self.range,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "habit_id": self.habit_id,
            "category": self.category,
        }
        if "range" in changes:
            args["start"] = args["end"] = None
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}


def _years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _parse_date(name: str, text: str) -> date:
    try:
        # fromisoformat also reads 20240101 and 2024-W01-1; the contract is YYYY-MM-DD only.
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise RangeError(f"'{name}' must be a date written as YYYY-MM-DD.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise RangeError(f"'{name}' must be between {FIRST_DAY} and {LAST_DAY}.")
    return day


def parse(args) -> Params:
    """Read the request's query arguments; RangeError on anything malformed."""
    range_text = args.get("range", "").strip()
    start_text = args.get("start", "").strip()
    end_text = args.get("end", "").strip()
    if start_text or end_text:
        if range_text:
            raise RangeError("Give either 'range' or 'start' and 'end', not both.")
        if not (start_text and end_text):
            raise RangeError("Give both 'start' and 'end' (YYYY-MM-DD).")
        start, end = _parse_date("start", start_text), _parse_date("end", end_text)
        if start > end:
            raise RangeError("'start' must not be after 'end'.")
        if end >= _years_after(start, MAX_RANGE_YEARS):
            raise RangeError(f"A range spans at most {MAX_RANGE_YEARS} years.")
        range_name = None
    else:
        range_name = range_text or DEFAULT_RANGE
        if range_name not in RANGE_CHOICES:
            raise RangeError(f"'range' must be one of {', '.join(RANGE_CHOICES)}.")
        start = end = None
    habit_text = args.get("habit_id", "").strip()
    habit_id = None
    if habit_text:
        if not (habit_text.isascii() and habit_text.isdigit()) or len(habit_text) > 12:
            raise RangeError("'habit_id' must be a habit's number.")
        habit_id = int(habit_text)
    category = args.get("category", "").strip() or None
    if category is not None and len(category) > CATEGORY_MAX:
        raise RangeError(f"'category' has at most {CATEGORY_MAX} characters.")
    return Params(range_name, start, end, habit_id, category)
