"""Accounts in a real browser: register, log out, log in, form errors."""

from playwright.sync_api import expect

from .browser import unique_name


def test_register_lands_on_dashboard_and_logout_locks_it(visitor):
    username = unique_name()
    visitor.register(username)
    assert visitor.heading() == "Dashboard"
    assert f"Welcome to HT-Tracker, {username}!" in visitor.flash()
    visitor.screenshot("welcome")
    # Production settings: the session cookie is __Host- prefixed, Secure and HttpOnly, and
    # Chromium keeps it on http://127.0.0.1 because loopback counts as a secure context.
    session = next(c for c in visitor.context.cookies() if c["name"] == "__Host-session")
    assert session["secure"] and session["httpOnly"]

    visitor.follow("Settings", scope="nav")
    assert visitor.heading() == "Settings"
    visitor.follow("Dashboard", scope="nav")

    visitor.logout()
    assert "You have been logged out." in visitor.flash()

    visitor.goto("/dashboard")
    assert visitor.path() == "/auth/login?next=/dashboard"
    assert visitor.heading() == "Log in"


def test_login_returns_to_the_page_asked_for(visitor, member):
    username, _ = member
    visitor.goto("/settings/")
    assert visitor.path() == "/auth/login?next=/settings/"
    visitor.fill({"Username or email": username, "Password": "correct horse battery"})
    visitor.submit("Log in")
    assert visitor.path() == "/settings/"
    assert visitor.heading() == "Settings"


def test_login_error_is_inline_and_keeps_what_was_typed(visitor):
    visitor.goto("/auth/login")
    visitor.fill({"Username or email": "nobody-here", "Password": "not the password"})
    visitor.submit("Log in", status=400)
    assert visitor.heading() == "Log in"
    assert "wrong password" in visitor.field_error("Password")
    assert visitor.value("Username or email") == "nobody-here"
    # app.js puts the cursor in the field to fix and lets the message be dismissed.
    expect(visitor.page.get_by_label("Password", exact=True)).to_be_focused()


def test_flash_messages_can_be_dismissed(visitor):
    visitor.register(unique_name())
    visitor.page.get_by_role("button", name="Dismiss message").click()
    expect(visitor.page.locator(".flashes")).to_have_count(0)


def test_accounts_work_with_javascript_off(open_visitor):
    visitor = open_visitor(viewport="phone", javascript=False)
    visitor.register(unique_name())
    assert visitor.heading() == "Dashboard"
    assert visitor.page.get_by_role("button", name="Dismiss message").count() == 0
    visitor.logout()
    visitor.goto("/habits/")
    assert visitor.path() == "/auth/login?next=/habits/"


def test_register_errors_show_next_to_their_fields(visitor):
    visitor.goto("/auth/register")
    visitor.fill(
        {
            "Username": "x",
            "Email": "not-an-email",
            "Password": "short",
            "Confirm password": "other",
        }
    )
    visitor.submit("Create account", status=400)
    assert "3–32" in visitor.field_error("Username")
    assert "valid email" in visitor.field_error("Email")
    assert visitor.value("Email") == "not-an-email"
