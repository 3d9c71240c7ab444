"""Server-rendered SVG charts: bars, a line and a calendar heatmap.

No scripts, no inline styles: every colour comes from a CSS class (static/style.css), so the
charts follow the light and dark themes and pass a strict Content-Security-Policy."""

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from ..durations import format_minutes
from ..timeutil import WEEKDAY_NUMBERS, week_start_of

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 28
WEEKDAY_LETTERS = "MTWTFSS"


# Steps of a minutes axis: round minutes below an hour, then round numbers of whole hours.
AXIS_STEPS = (5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 600, 720) + tuple(
    hours * 60 for hours in (15, 20, 25, 30, 40, 50, 60, 75, 100, 150, 200, 250, 300, 400, 500)
)


def _nice_max(value: float) -> int:
    """A round top for a minutes axis: four grid steps of a round size (15m, 1h, 3h, 25h…)."""
    for step in AXIS_STEPS:
        if value <= 4 * step:
            return 4 * step
    hours = -(-value // 240)
    return int(hours * 240)


def _frame(
    chart_id: str, title: str, desc: str, body: list[str], css: str, size=(WIDTH, HEIGHT)
) -> Markup:
    chart_id = escape(chart_id)
    head = (
        f'<svg class="chart {css}" viewBox="0 0 {size[0]} {size[1]}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    # Safe: every piece of text inside was passed through escape() or is a number.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704


def _axis(top: float, y_label) -> list[str]:
    """Horizontal grid lines with their labels, and the baseline."""
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    for tick in range(5):
        value = top * tick / 4
        y = HEIGHT - BOTTOM - plot_height * tick / 4
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-label" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(y_label(value))}</text>"
        )
    return parts


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, int]],
    *,
    every: int | None = None,
    target: int | None = None,
    unit: str = "minutes",
) -> Markup:
    """Minutes per bar, labelled (label, minutes); axis in hours and minutes; an optional
    target drawn as a line across. With unit "count", bars are counts (check-offs)."""
    say = format_minutes if unit == "minutes" else _times
    total = sum(minutes for _label, minutes in bars)
    best = max(bars, key=lambda bar: bar[1], default=None)
    desc = f"{len(bars)} bars, {say(total)} in total"
    if best and best[1]:
        desc += f"; the highest is {best[0]} with {say(best[1])}"
    if target:
        desc += f"; the target line is at {say(target)}"
    top = _nice_max(max([minutes for _label, minutes in bars] + [target or 0]) or 1)
    parts = _axis(top, lambda value: say(round(value)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(bars), 1)
    every = every or max(1, -(-len(bars) // 8))
    labels = -(-len(bars) // every)
    for index, (label, minutes) in enumerate(bars):
        height = plot_height * minutes / top
        x = LEFT + index * slot
        parts.append(
            f'<rect class="chart-bar" x="{x + slot * 0.1:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
            f'width="{slot * 0.8:.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}: {say(minutes)}</title></rect>"
        )
        if index % every == 0:
            # Every other label of a crowded axis is "minor": a phone's stylesheet hides it.
            minor = " minor" if labels >= 8 and (index // every) % 2 else ""
            parts.append(
                f'<text class="chart-label{minor}" x="{x + slot / 2:.1f}" y="{HEIGHT - 8}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if target:
        y = HEIGHT - BOTTOM - plot_height * target / top
        parts.append(
            f'<line class="chart-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"><title>Target: {say(target)}</title></line>'
        )
    return _frame(chart_id, title, desc, parts, "chart-bars")


def stacked_bar_chart(
    chart_id: str, title: str, labels: Sequence[str], layers: Sequence, *, every: int | None = None
) -> Markup:
    """Bars of minutes split into layers (label, colour key or None, minutes per bar), the
    first layer at the bottom; each layer filled in its habit's colour (CSS `hc-<key>`)."""
    totals = [sum(layer.minutes[index] for layer in layers) for index in range(len(labels))]
    total = sum(totals)
    desc = f"{len(labels)} bars, {format_minutes(total)} in total, split into " + ", ".join(
        f"{layer.label} {format_minutes(layer.total)}" for layer in layers
    )
    top = _nice_max(max(totals, default=0) or 1)
    parts = _axis(top, lambda value: format_minutes(round(value)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(labels), 1)
    every = every or max(1, -(-len(labels) // 8))
    count = -(-len(labels) // every)
    base = [0.0] * len(labels)
    for layer in layers:
        css = f"hc-{layer.colour}" if layer.colour else "stack-other"
        parts.append(f'<g class="stack {css}">')
        for index, minutes in enumerate(layer.minutes):
            if not minutes:
                continue
            height = plot_height * minutes / top
            y = HEIGHT - BOTTOM - base[index] - height
            base[index] += height
            parts.append(
                f'<rect x="{LEFT + index * slot + slot * 0.1:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{height:.1f}">'
                f"<title>{escape(labels[index])}, {escape(layer.label)}: "
                f"{format_minutes(minutes)}</title></rect>"
            )
        parts.append("</g>")
    for index, label in enumerate(labels):
        if index % every == 0:
            minor = " minor" if count >= 8 and (index // every) % 2 else ""
            parts.append(
                f'<text class="chart-label{minor}" x="{LEFT + index * slot + slot / 2:.1f}" '
                f'y="{HEIGHT - 8}" text-anchor="middle">{escape(label)}</text>'
            )
    return _frame(chart_id, title, desc, parts, "chart-bars chart-stacked")


def _times(count: int) -> str:
    return f"{count} time" if count == 1 else f"{count} times"


def line_chart(chart_id: str, title: str, points: Sequence[tuple[date, float]]) -> Markup:
    """A 0–100 line over days (the strength score's history)."""
    if points:
        desc = (
            f"From {points[0][0].isoformat()} ({points[0][1]:.0f}) "
            f"to {points[-1][0].isoformat()} ({points[-1][1]:.0f}), on a scale of 0 to 100"
        )
    else:
        desc = "No history yet"
    parts = _axis(100, lambda value: f"{value:.0f}")
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(points) - 1, 1)
    coordinates = " ".join(
        f"{LEFT + index * step:.1f},{HEIGHT - BOTTOM - plot_height * value / 100:.1f}"
        for index, (_day, value) in enumerate(points)
    )
    if coordinates:
        parts.append(f'<polyline class="chart-line" points="{coordinates}"/>')
    every = max(1, len(points) // 6)
    for index in range(0, len(points), every):
        minor = " minor" if len(points) > 6 and (index // every) % 2 else ""
        parts.append(
            f'<text class="chart-label{minor}" x="{LEFT + index * step:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{points[index][0].strftime("%b %d")}</text>'
        )
    return _frame(chart_id, title, desc, parts, "chart-line-chart")


def heat_level(minutes: int, top: int) -> int:
    """0 for an empty day, else 1–4 by quarters of the busiest day."""
    if minutes <= 0 or top <= 0:
        return 0
    return min(4, 1 + (4 * minutes - 1) // top)


def heatmap(
    chart_id: str,
    title: str,
    days: dict[date, int],
    week_start: str,
    skipped: frozenset[date] = frozenset(),
    checks: bool = False,
) -> Markup:
    """A calendar grid: one column per week, one square per day, shaded by minutes (or, with
    `checks`, full for a checked day); skipped days are outlined and say so."""
    ordered = sorted(days)
    if not ordered:
        return _frame(chart_id, title, "No days", [], "chart-heatmap")
    origin = week_start_of(ordered[0], week_start)
    top = max(days.values())
    active = sum(1 for minutes in days.values() if minutes)
    excused = sum(1 for day in ordered if day in skipped and not days[day])
    total = f"{active} checked" if checks else f"{format_minutes(sum(days.values()))} in total"
    desc = f"{ordered[0].isoformat()} to {ordered[-1].isoformat()}: {active} active days, {total}"
    if excused:
        desc += f", {excused} skipped"
    cell, gap, left, top_margin = 11, 2, 28, 18
    parts = []
    for row in range(7):
        letter = WEEKDAY_LETTERS[(WEEKDAY_NUMBERS[week_start] + row) % 7]
        if row % 2 == 0:
            parts.append(
                f'<text class="chart-label" x="{left - 6}" y="{top_margin + row * 13 + 9}" '
                f'text-anchor="end">{letter}</text>'
            )
    month_seen, label_column = None, -3
    for day in ordered:
        offset = (day - origin).days
        column, row = divmod(offset, 7)
        x, y = left + column * (cell + gap), top_margin + row * (cell + gap)
        if day.month != month_seen and row == 0 or month_seen is None:
            month_seen = day.month
            # A month that starts just after the first column would print over its label.
            if column - label_column >= 3:
                label_column = column
                parts.append(
                    f'<text class="chart-label" x="{x}" y="12">{day.strftime("%b")}</text>'
                )
        if day in skipped and not days[day]:
            shade, said = "heat-skipped", "skipped"
        else:
            shade = f"heat-{4 if checks and days[day] else heat_level(days[day], top)}"
            said = ("checked" if days[day] else "—") if checks else format_minutes(days[day])
        parts.append(
            f'<rect class="heat {shade}" x="{x}" y="{y}" width="{cell}" height="{cell}" '
            f'rx="2"><title>{day.isoformat()}: {said}</title></rect>'
        )
    columns = (ordered[-1] - origin).days // 7 + 1
    width = left + columns * (cell + gap)
    return _frame(chart_id, title, desc, parts, "chart-heatmap", (width, top_margin + 7 * 13))
