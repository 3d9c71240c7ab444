"""The habit colour palette: a key per colour, each with a shade for the light scheme and one
for the dark scheme. Every shade reads as text (at least 4.5:1) on the page's surfaces in its
scheme, so a habit's colour can carry its name, its minutes and its chart marks (3:1 needed)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Colour:
    key: str
    label: str
    light: str
    dark: str


PALETTE = (
    Colour("teal", "Teal", "#115e59", "#5eead4"),
    Colour("blue", "Blue", "#1d4ed8", "#93c5fd"),
    Colour("violet", "Violet", "#6d28d9", "#c4b5fd"),
    Colour("pink", "Pink", "#be185d", "#f9a8d4"),
    Colour("orange", "Orange", "#9a3412", "#fdba74"),
    Colour("green", "Green", "#166534", "#86efac"),
    Colour("red", "Red", "#b91c1c", "#fca5a5"),
    Colour("slate", "Slate", "#475569", "#cbd5e1"),
)
COLOURS = {colour.key: colour for colour in PALETTE}
COLOUR_KEYS = tuple(COLOURS)
COLOUR_MAX = 8
DEFAULT_COLOUR = PALETTE[0].key


def next_colour(used: list[str]) -> str:
    """The first palette colour no habit uses yet; when all are taken, the least used one
    (the earliest in the palette on a tie)."""
    counts = dict.fromkeys(COLOUR_KEYS, 0)
    for key in used:
        if key in counts:
            counts[key] += 1
    return min(COLOUR_KEYS, key=lambda key: (counts[key], COLOUR_KEYS.index(key)))


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
