"""A person at a browser: visit pages, fill forms by their labels, and check what they see."""

import re
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import BrowserContext, Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
    "small-phone": {"width": 360, "height": 740},
}
SCHEMES = ("light", "dark")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "correct horse battery"
MIN_CONTRAST = 4.5
# Elements whose own text people read; each must reach MIN_CONTRAST against its background.
TEXT = (
    "body, h1, h2, h3, p, li, td, th, dt, dd, label, a, button, summary, time, small, "
    ".help, .error, .flash, .empty, .muted"
)

# Text colour and the background it sits on: the element's own, then its ancestors' until an
# opaque one, composed in Python. Returns null for elements that are not rendered.
_COLOURS_JS = """
(el) => {
  const style = getComputedStyle(el);
  if (!el.getClientRects().length || style.visibility === "hidden") return null;
  const backgrounds = [];
  for (let node = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    backgrounds.push(bg);
    if (/^rgb\\(/.test(bg)) break;
  }
  return {text: style.color, backgrounds, sample: el.textContent.trim().slice(0, 40)};
}
"""

_UNLABELLED_JS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((el) => !["hidden", "submit", "button", "reset"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML)
"""


_STRUCTURE_JS = """
() => ({
  lang: document.documentElement.lang,
  title: document.title.trim(),
  h1: document.querySelectorAll("h1").length,
  main: document.querySelectorAll("main").length,
  banner: document.querySelectorAll("body > header").length,
  contentinfo: document.querySelectorAll("body > footer").length,
  navs: Array.from(document.querySelectorAll("nav")).map((n) => n.getAttribute("aria-label")),
  imagesWithoutAlt: Array.from(document.images).filter((i) => !i.hasAttribute("alt")).length,
  unnamedButtons: Array.from(document.querySelectorAll("button, a[href]"))
    .filter((b) => !b.textContent.trim() && !b.getAttribute("aria-label")
                   && !b.querySelector("img[alt]:not([alt=''])"))
    .map((b) => b.outerHTML),
})
"""


def unique_name(prefix: str = "user") -> str:
    """A username no other test uses."""
    return f"{prefix}{secrets.token_hex(4)}"


def parse_rgba(text: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)', 'rgba(1, 2, 3, 0.5)' or 'color(srgb 0.1 0.2 0.3 / 0.5)' (what
    color-mix() computes to) as four floats, the channels 0–255."""
    if text.startswith("color(srgb "):
        numbers = [float(n) for n in re.findall(r"[\d.]+", text[len("color(srgb ") :])]
        red, green, blue = (255 * value for value in numbers[:3])
        return red, green, blue, numbers[3] if len(numbers) > 3 else 1.0
    assert text.startswith("rgb"), f"unexpected colour format {text!r}"
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def compose(layers: list[str]) -> tuple[float, float, float]:
    """The colour seen through `layers`, topmost first, over a white canvas."""
    red, green, blue = 255.0, 255.0, 255.0
    for layer in reversed(layers):
        r, g, b, alpha = parse_rgba(layer)
        red = r * alpha + red * (1 - alpha)
        green = g * alpha + green * (1 - alpha)
        blue = b * alpha + blue * (1 - alpha)
    return red, green, blue


def luminance(colour: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = []
    for value in colour:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: tuple, second: tuple) -> float:
    """WCAG contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Watch:
    """Console errors, uncaught exceptions and requests to any host but the app's."""

    def __init__(self, context: BrowserContext, base_url: str):
        self.origin = urlsplit(base_url).netloc
        self.problems: list[str] = []
        context.on("request", self._on_request)
        context.on("page", self.attach)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location['url']}")

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != self.origin:
            self.problems.append(f"foreign request: {request.method} {request.url}")

    def expect_document_status(self, response) -> None:
        """Forget Chromium's report of a page's own 4xx status: the test asked for that page."""
        known = (
            f"console error: Failed to load resource: the server responded with a status of "
            f"{response.status} "
        )
        self.problems = [
            problem
            for problem in self.problems
            if not (problem.startswith(known) and problem.endswith(f" at {response.url}"))
        ]

    def take(self) -> list[str]:
        """The problems seen since the last call."""
        problems, self.problems = self.problems, []
        return problems


class Visitor:
    """One browser tab with its own cookies, and the checks a careful reviewer would make."""

    def __init__(self, context: BrowserContext, base_url: str, viewport: str, scheme: str):
        self.context = context
        self.base_url = base_url
        self.viewport = viewport
        self.scheme = scheme
        self.watch = Watch(context, base_url)
        # Pages here answer in milliseconds; fail fast instead of Playwright's 30 s default.
        context.set_default_timeout(10_000)
        self.page = context.new_page()

    # Navigation -----------------------------------------------------------------------------

    def goto(self, path: str, status: int = 200) -> Page:
        """Open `path`; the final response must have `status` and the page must be clean."""
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (
            f"{path}: HTTP {response.status if response else None}, expected {status}"
        )
        self.watch.expect_document_status(response)
        self.assert_clean()
        return self.page

    def path(self) -> str:
        """The current path with its query string, percent-escapes decoded."""
        parts = urlsplit(self.page.url)
        return unquote(parts.path + (f"?{parts.query}" if parts.query else ""))

    def submit(self, button: str, status: int = 200, scope=None) -> None:
        """Click the submit button named `button` and wait for the page it leads to."""
        scope = scope or self.page
        with self.page.expect_navigation() as navigation:
            scope.get_by_role("button", name=button, exact=True).click()
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{button!r}: HTTP {response.status if response else None}, expected {status}"
        )
        self.watch.expect_document_status(response)
        self.assert_clean()

    def follow(self, link: str, scope=None) -> None:
        """Click the link named `link` (in the main navigation when scope is "nav")."""
        if scope == "nav":
            scope = self.page.get_by_role("navigation", name="Main")
        with self.page.expect_navigation():
            (scope or self.page).get_by_role("link", name=link, exact=True).first.click()
        self.assert_clean()

    def fill(self, fields: dict[str, str], scope=None) -> None:
        """Type into fields found by their label text (select boxes take the option label)."""
        scope = scope or self.page
        for label, value in fields.items():
            control = scope.get_by_label(label, exact=True)
            if control.evaluate("(el) => el.tagName") == "SELECT":
                control.select_option(label=value)
            else:
                control.fill(value)

    def value(self, label: str, scope=None) -> str:
        """The current value of the field labelled `label`."""
        return (scope or self.page).get_by_label(label, exact=True).input_value()

    def field_error(self, label: str) -> str:
        """The inline error shown for the field labelled `label`."""
        control = self.page.get_by_label(label, exact=True)
        expect(control).to_have_attribute("aria-invalid", "true")
        described = (control.get_attribute("aria-describedby") or "").split()
        errors = [self.page.locator(f"[id='{name}'].error") for name in described]
        texts = [error.inner_text() for error in errors if error.count()]
        assert texts, f"{label!r} is marked invalid but no error message describes it"
        return " ".join(texts)

    def flash(self) -> str:
        """The text of the flash messages on this page."""
        return self.page.locator(".flashes").inner_text()

    def table(self, scope=None) -> list[list[str]]:
        """The body rows of the first table in `scope` (default: the page), as cell texts."""
        rows = (scope or self.page).locator("table").first.locator("tbody tr")
        return [row.locator("td, th").all_inner_texts() for row in rows.all()]

    def heading(self) -> str:
        """The page's one h1."""
        expect(self.page.locator("h1")).to_have_count(1)
        return self.page.locator("h1").inner_text()

    # Accounts ------------------------------------------------------------------------------

    def register(self, username: str, password: str = PASSWORD) -> None:
        """Create an account through the form; lands on the dashboard."""
        self.goto("/auth/register")
        self.fill(
            {
                "Username": username,
                "Email": f"{username}@example.com",
                "Password": password,
                "Confirm password": password,
            }
        )
        self.submit("Create account")
        assert self.path() == "/dashboard"

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Log in through the form; lands on the dashboard."""
        self.goto("/auth/login")
        self.fill({"Username or email": username, "Password": password})
        self.submit("Log in")
        assert self.path() == "/dashboard"

    def logout(self) -> None:
        """Use the Log out button in the navigation."""
        nav = self.page.get_by_role("navigation", name="Main")
        self.submit("Log out", scope=nav)
        assert self.path() == "/auth/login"

    # Checks --------------------------------------------------------------------------------

    def assert_clean(self) -> None:
        """No console error and no request to another host since the last check."""
        problems = self.watch.take()
        assert not problems, f"{self.page.url}:\n" + "\n".join(problems)

    def assert_no_horizontal_scroll(self) -> None:
        """Nothing pushes the page wider than the viewport."""
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[1], f"{self.page.url}: page {widths[0]}px wide in {widths[1]}px"

    def assert_structure(self) -> None:
        """Landmarks, one h1, a title and language, named buttons and links, images with alt."""
        found = self.page.evaluate(_STRUCTURE_JS)
        where = f"{self.page.url}: {found}"
        assert found["lang"] == "en" and found["title"], where
        assert found["h1"] == 1 and found["main"] == 1, where
        assert found["banner"] == 1 and found["contentinfo"] == 1, where
        assert all(found["navs"]), where
        assert found["imagesWithoutAlt"] == 0 and not found["unnamedButtons"], where

    def assert_inputs_labelled(self) -> None:
        """Every visible form control has a label (or an aria label)."""
        unlabelled = self.page.evaluate(_UNLABELLED_JS)
        assert not unlabelled, f"{self.page.url}: controls without a label: {unlabelled}"

    def assert_text_contrast(self, selector: str = TEXT) -> None:
        """Every rendered text element matching `selector` reaches WCAG AA contrast."""
        failures = []
        for element in self.page.locator(selector).all():
            colours = element.evaluate(_COLOURS_JS)
            if not colours or not colours["sample"]:
                continue
            text = compose([colours["text"], *colours["backgrounds"]])
            background = compose(colours["backgrounds"])
            ratio = contrast_ratio(text, background)
            if ratio < MIN_CONTRAST:
                failures.append(f"{colours['sample']!r}: {ratio:.2f} ({colours})")
        assert not failures, f"{self.page.url} ({self.scheme}): low contrast:\n" + "\n".join(
            failures
        )

    def screenshot(self, name: str) -> Path:
        """Save the whole page as screenshots/<name>-<viewport>-<scheme>.png."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.viewport}-{self.scheme}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path
