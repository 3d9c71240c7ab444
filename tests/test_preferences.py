"""Time zone and first day of the week."""

import pytest
from sqlalchemy import select

from httracker.extensions import db
from httracker.models import User


def saved(app):
    with app.app_context():
        user = db.session.scalar(select(User))
        return user.timezone, user.week_start


def test_settings_page_shows_current_preferences_and_a_link(client, user):
    page = client.get("/settings/").data.decode()
    assert 'href="/settings/preferences"' in page
    assert "UTC" in page and "Monday" in page


def test_form_offers_zone_names_with_the_current_one_selected(client, user):
    page = client.get("/settings/preferences").data.decode()
    assert '<option selected value="UTC">' in page
    assert '<option value="Pacific/Kiritimati">' in page
    assert '<option value="Pacific/Pago_Pago">' in page


def test_saving_preferences(client, app, user):
    data = {"timezone": "Pacific/Pago_Pago", "week_start": "sunday"}
    response = client.post("/settings/preferences", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/"
    assert saved(app) == ("Pacific/Pago_Pago", "sunday")
    page = client.get("/settings/").data.decode()
    assert "Saved preferences: time zone Pacific/Pago_Pago, weeks start on Sunday." in page


@pytest.mark.parametrize(
    "data",
    [
        {"timezone": "Mars/Olympus", "week_start": "monday"},
        {"timezone": "UTC", "week_start": "friday"},
        {"timezone": "x" * 5000, "week_start": "monday"},
        {"week_start": "monday"},
    ],
)
def test_bad_preferences_are_inline_errors(client, app, user, data):
    response = client.post("/settings/preferences", data=data)
    assert response.status_code == 400
    assert b"Not a valid choice" in response.data or b"This field is required" in response.data
    assert saved(app) == ("UTC", "monday")


def test_preferences_need_a_login(client):
    assert client.get("/settings/preferences").headers["Location"].startswith("/auth/login")
