"""Passkeys in Chromium: the site's own script runs the WebAuthn ceremony against a virtual
authenticator added through the DevTools protocol, on http://localhost (WebAuthn refuses an
IP address as the relying party)."""

import pytest
from playwright.sync_api import expect

from .browser import PASSWORD, VIEWPORTS, Visitor, unique_name


@pytest.fixture
def passkey_visitor(browser, localhost_server):
    """A tab on the localhost server with a virtual platform authenticator (resident keys,
    user verification, presence simulated): (visitor, CDP session, authenticator id)."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    visitor = Visitor(context, localhost_server.base_url, "desktop", "light")
    cdp = context.new_cdp_session(visitor.page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield visitor, cdp, added["authenticatorId"]
    problems = visitor.watch.take()
    context.close()
    assert not problems, "\n".join(problems)


def click_and_wait(visitor, button: str, path: str) -> None:
    with visitor.page.expect_navigation(url=f"**{path}"):
        visitor.page.get_by_role("button", name=button, exact=True).click()
    visitor.assert_clean()


def test_register_a_passkey_then_log_in_with_it_without_and_after_a_password(passkey_visitor):
    visitor, cdp, authenticator = passkey_visitor
    username = unique_name("passkey")
    visitor.register(username)
    visitor.goto("/settings/")
    section = visitor.page.locator("section", has=visitor.page.locator("#passkeys-heading"))
    expect(section.get_by_text("No passkeys yet.")).to_be_visible()
    # Adding a passkey asks for the password first (the page has other password fields).
    visitor.fill({"Name for the new passkey": "Virtual key", "Current password": PASSWORD}, section)
    click_and_wait(visitor, "Add a passkey", "/settings/")
    assert "Passkey “Virtual key” added." in visitor.flash()
    rows = visitor.table(section)
    assert len(rows) == 1 and rows[0][0] == "Virtual key" and rows[0][2] == "never"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    (credential,) = stored["credentials"]
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"

    # Passwordless: the login page's button, no username typed.
    visitor.logout()
    click_and_wait(visitor, "Log in with a passkey", "/dashboard")
    assert visitor.path() == "/dashboard" and username in visitor.page.inner_text("header")
    visitor.goto("/settings/")
    assert visitor.table(section)[0][2].endswith("UTC")  # last used now

    # As the second step after the password.
    visitor.logout()
    visitor.goto("/auth/login")
    visitor.fill({"Username or email": username, "Password": PASSWORD})
    visitor.submit("Log in")
    assert visitor.path() == "/auth/login/code"
    click_and_wait(visitor, "Use a passkey", "/dashboard")
    after = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert after["credentials"][0]["signCount"] >= 2

    # Deleting it asks for the password too; then the password alone logs in again.
    visitor.goto("/settings/")
    row = section.locator("tbody tr")
    visitor.fill({"Current password": PASSWORD}, row)
    click_and_wait(visitor, "Delete Virtual key", "/settings/")
    assert "Passkey deleted." in visitor.flash()
    expect(section.get_by_text("No passkeys yet.")).to_be_visible()
