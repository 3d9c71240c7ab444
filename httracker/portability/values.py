"""Reading one value of a file: text, whole numbers, dates and flags, from a CSV cell or a JSON
value. Each problem is a BadValue naming its field."""

from datetime import date

from ..security import has_nul
from .records import BOOLEANS, DATE_PATTERN, BadValue


def text_value(name: str, value: str) -> str:
    """Text the database can store: no NUL characters, no lone surrogates."""
    if has_nul(value) or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise BadValue(name, "the text holds a NUL or an invalid character.")
    return value


def date_value(text: str, name: str = "date") -> date:
    """A YYYY-MM-DD date on the calendar."""
    text = text.strip()
    if not DATE_PATTERN.fullmatch(text):
        raise BadValue(name, f"{text!r} is not a date; use YYYY-MM-DD.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(name, f"{text!r} is not a date on the calendar.") from None


def csv_number(name: str, text: str, optional: bool = False) -> int | None:
    """A whole number from a cell; an empty cell is None when `optional`."""
    text = text.strip()
    if optional and not text:
        return None
    if not (text.isascii() and text.isdigit()):
        either = " or empty" if optional else ""
        raise BadValue(name, f"must be a whole number{either}, not {text!r}.")
    # Longer is beyond every limit anyway, and int() of thousands of digits is slow or refused.
    return int(text) if len(text) <= 18 else 10**18


def csv_boolean(name: str, text: str) -> bool:
    try:
        return BOOLEANS[text.strip().lower()]
    except KeyError:
        raise BadValue(name, f"must be true or false, not {text!r}.") from None


def json_text(name: str, value) -> str:
    """Text, or '' for null."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadValue(name, f"must be text or null, not {value!r}.")
    return text_value(name, value)


def json_number(name: str, value) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadValue(name, f"must be a whole number or null, not {value!r}.")
    return value


def json_boolean(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise BadValue(name, f"must be true or false, not {value!r}.")
    return value


def json_date(name: str, value) -> date:
    if not isinstance(value, str):
        raise BadValue(name, f"{value!r} is not a date; use YYYY-MM-DD.")
    return date_value(value, name)
