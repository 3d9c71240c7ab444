"""What a statement a test recorded reads."""

import re


def reads_habit(statement: str) -> bool:
    """A SELECT from the habit table, but the lookup of habits without stored state that a write
    moving that state back makes (any write outside the month a read may already store: early in
    a month, or at its turn)."""
    return (
        statement.lstrip().upper().startswith("SELECT")
        and re.search(r"\bFROM habit\b", statement) is not None
        and "habit_stats" not in statement
    )
