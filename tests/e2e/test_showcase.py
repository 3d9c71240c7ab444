"""A year of real data on every main page: phone and desktop, light and dark, legible charts."""

import pytest
from playwright.sync_api import expect

from .browser import MIN_CONTRAST, SCREENSHOTS, compose, contrast_ratio
from .test_pages import check_page

# Chart marks (SVG fills and strokes) against the card they sit on: text must reach 4.5:1 like
# any text; bars, lines and the busiest heatmap squares 3:1 (WCAG 1.4.11, non-text contrast).
_CHART_COLOURS_JS = """
(svg) => {
  let node = svg, background = "rgba(0, 0, 0, 0)";
  for (; node; node = node.parentElement) {
    background = getComputedStyle(node).backgroundColor;
    if (/^rgb\\(/.test(background)) break;
  }
  const first = (selector, property) => {
    const el = svg.querySelector(selector);
    return el ? getComputedStyle(el)[property] : null;
  };
  return {
    background,
    text: first("text", "fill"),
    bar: first(".chart-bar", "fill"),
    line: first(".chart-line", "stroke"),
    heat: [0, 1, 2, 3, 4].map((level) => first(".heat-" + level, "fill")),
    // Each layer of a stacked chart: its class (the habit's colour) and its fill.
    layers: Array.from(svg.querySelectorAll(".stack"), (layer) => {
      const rect = layer.querySelector("rect");
      return rect ? [layer.getAttribute("class"), getComputedStyle(rect).fill] : null;
    }).filter(Boolean),
    textSize: (() => { const t = svg.querySelector("text"); if (!t) return null;
      return t.getBoundingClientRect().height; })(),
  };
}
"""


def colour(css: str) -> tuple:
    return compose([css])


def assert_charts_legible(visitor) -> None:
    """Every chart's text, marks and heatmap shades stand out from their card."""
    charts = visitor.page.locator("svg.chart")
    assert charts.count() >= 1
    for chart in charts.all():
        found = chart.evaluate(_CHART_COLOURS_JS)
        where = f"{visitor.page.url} ({visitor.scheme}): {found}"
        background = colour(found["background"])
        assert contrast_ratio(colour(found["text"]), background) >= MIN_CONTRAST, where
        # Axis labels stay big enough to read once the chart is scaled to the screen.
        assert found["textSize"] >= 9, where
        for mark in (found["bar"], found["line"]):
            if mark:
                assert contrast_ratio(colour(mark), background) >= 3, where
        for layer, fill in found["layers"]:
            assert contrast_ratio(colour(fill), background) >= 3, f"{layer}: {where}"
        if all(found["heat"]):
            shades = [colour(level) for level in found["heat"]]
            assert contrast_ratio(shades[4], background) >= 3, where
            # Busier days read darker in light mode and brighter in dark mode, step by step.
            ratios = [contrast_ratio(shade, background) for shade in shades]
            assert ratios == sorted(ratios), where


@pytest.fixture(
    params=[(v, s) for v in ("desktop", "phone") for s in ("light", "dark")], ids="-".join
)
def demo_look(request, open_visitor, demo_member):
    """The demo account's tab in each viewport and colour scheme."""
    viewport, scheme = request.param
    return open_visitor(viewport=viewport, scheme=scheme, state=demo_member[1])


def test_pages_with_a_year_of_data(demo_look):
    visitor = demo_look
    pages = {
        "dashboard": "/dashboard",
        "habits": "/habits/",
        "logs": "/logs/",
        "analytics": "/analytics/",
        "analytics-year": "/analytics/?range=365d",
        "settings": "/settings/",
        "devices": "/settings/sessions",
        "new-habit": "/habits/new",
        "new-log": "/logs/new",
    }
    for name, path in pages.items():
        visitor.goto(path)
        check_page(visitor, name)
        if visitor.viewport == "phone":  # what a phone shows first, at its real size
            visitor.page.screenshot(
                path=str(SCREENSHOTS / f"{name}-phone-top-{visitor.scheme}.png")
            )
        if name.startswith(("dashboard", "analytics")):
            assert_charts_legible(visitor)
        if name.startswith("analytics"):  # the stacked layers were there to be measured
            assert visitor.page.locator("svg.chart-stacked .stack rect").count() >= 2

    visitor.goto("/habits/")
    visitor.follow("Deep work")
    assert visitor.heading() == "Deep work"
    expect(visitor.page.locator("svg.chart-heatmap rect.heat")).to_have_count(365)
    check_page(visitor, "habit")
    assert_charts_legible(visitor)

    visitor.follow("Edit")
    check_page(visitor, "edit-habit")
    visitor.goto("/logs/")
    visitor.page.get_by_role("link", name="Edit log of", exact=False).first.click()
    visitor.page.wait_for_load_state()
    check_page(visitor, "edit-log")
    visitor.page.get_by_role("link", name="Delete this log", exact=True).click()
    visitor.page.wait_for_load_state()
    assert visitor.heading() == "Delete this log?"
    check_page(visitor, "delete-log")


def test_nothing_overflows_the_smallest_phone_with_real_data(open_visitor, demo_member):
    visitor = open_visitor(viewport="small-phone", state=demo_member[1])
    for path in ("/dashboard", "/habits/", "/logs/", "/analytics/?range=all", "/settings/"):
        visitor.goto(path)
        visitor.assert_no_horizontal_scroll()
    visitor.goto("/habits/")
    visitor.follow("Strength training")
    visitor.assert_no_horizontal_scroll()


def test_the_analytics_tables_fit_and_the_heatmap_opens_at_today(open_visitor, demo_member):
    desktop = open_visitor(viewport="desktop", state=demo_member[1])
    desktop.goto("/analytics/")
    scroll = desktop.page.locator("section[aria-labelledby='habits-heading'] .table-scroll")
    widths = scroll.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
    assert widths[0] <= widths[1], f"the habits table needs {widths[0]}px of {widths[1]}px"

    phone = open_visitor(viewport="phone", state=demo_member[1])
    phone.goto("/analytics/")
    figure = phone.page.locator("figure.heatmap-figure")
    # The year is wider than a phone: the figure scrolls, and must start at its end.
    widths = figure.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
    assert widths[0] > widths[1], widths
    today = figure.locator("rect.heat").last
    box, shown = today.bounding_box(), figure.bounding_box()
    assert box and shown
    assert shown["x"] <= box["x"] and box["x"] + box["width"] <= shown["x"] + shown["width"], (
        f"today's square at {box} lies outside the heatmap's box {shown}"
    )
