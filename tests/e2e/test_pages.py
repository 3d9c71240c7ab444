"""Every main page on desktop and phone, light and dark: layout, labels, contrast, screenshots."""

import pytest

PUBLIC_PAGES = {"login": "/auth/login", "register": "/auth/register"}
MEMBER_PAGES = {
    "dashboard": "/dashboard",
    "habits": "/habits/",
    "logs": "/logs/",
    "analytics": "/analytics/",
    "settings": "/settings/",
    "devices": "/settings/sessions",
    "preferences": "/settings/preferences",
    "tokens": "/settings/tokens",
    "api-docs": "/api/docs",
}


def check_page(visitor, name: str) -> None:
    """The checks every page must pass, then a screenshot for people to look at."""
    visitor.assert_structure()
    visitor.assert_no_horizontal_scroll()
    visitor.assert_inputs_labelled()
    visitor.assert_text_contrast()
    visitor.screenshot(name)
    visitor.assert_clean()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages(open_visitor, viewport, scheme):
    visitor = open_visitor(viewport=viewport, scheme=scheme)
    for name, path in PUBLIC_PAGES.items():
        visitor.goto(path)
        check_page(visitor, name)
    visitor.goto("/auth/login")
    visitor.fill({"Username or email": "nobody-here", "Password": "not the password"})
    visitor.submit("Log in", status=400)
    check_page(visitor, "login-error")


def test_member_pages(look):
    for name, path in MEMBER_PAGES.items():
        look.goto(path)
        check_page(look, f"{name}-empty")  # a new account: the empty states
        nav = look.page.get_by_role("navigation", name="Main")
        for label in ("Dashboard", "Habits", "Logs", "Analytics", "Settings"):
            assert nav.get_by_role("link", name=label, exact=True).count() == 1
        assert nav.get_by_role("button", name="Log out", exact=True).count() == 1


def test_nothing_overflows_the_smallest_phone(open_visitor, member):
    visitor = open_visitor(viewport="small-phone", state=member[1])
    for path in MEMBER_PAGES.values():
        visitor.goto(path)
        visitor.assert_no_horizontal_scroll()
    stranger = open_visitor(viewport="small-phone")
    for path in PUBLIC_PAGES.values():
        stranger.goto(path)
        stranger.assert_no_horizontal_scroll()


def test_missing_page_is_a_friendly_404(look):
    look.goto("/no-such-page", status=404)
    assert look.heading() == "Page not found"
    check_page(look, "not-found")


FOCUS_JS = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {text: el.textContent.trim() || el.name, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), shadow: style.boxShadow, top: box.top};
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible(open_visitor, scheme):
    visitor = open_visitor(scheme=scheme)
    visitor.goto("/no-such-page", status=404)
    expected = ["Skip to content", "HT-Tracker", "Log in", "Register", "Back to HT-Tracker"]
    for text in expected:
        visitor.page.keyboard.press("Tab")
        focused = visitor.page.evaluate(FOCUS_JS)
        assert focused["text"] == text, focused
        assert focused["outline"] != "none" and focused["width"] >= 2, focused
        assert focused["top"] >= 0, focused
