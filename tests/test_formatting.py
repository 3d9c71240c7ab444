"""Template filters and shared macros render what people and machines read."""

from datetime import date, datetime

from flask import render_template_string

from httracker.formatting import readable_date, short_date, time_tag


def test_readable_dates_keep_the_iso_date():
    day = date(2026, 11, 27)
    assert readable_date(day) == "Fri 27 Nov 2026"
    assert short_date(date(2026, 3, 1)) == "Sun 1 Mar"
    assert str(time_tag(day)) == '<time datetime="2026-11-27">Fri 27 Nov 2026</time>'
    assert str(time_tag(day, short=True)) == '<time datetime="2026-11-27">Fri 27 Nov</time>'
    moment = datetime(2026, 11, 27, 14, 5, 30)
    assert str(time_tag(moment)) == (
        '<time datetime="2026-11-27T14:05">Fri 27 Nov 2026, 14:05</time>'
    )
    assert readable_date(None) == "" and str(time_tag(None)) == ""


def test_filters_are_registered_for_templates(app):
    with app.test_request_context():
        page = render_template_string(
            "{{ day|time_tag }} {{ 90|duration }} {{ 45|duration }} {{ 90|hmm }}",
            day=date(2026, 1, 5),
        )
    assert page == '<time datetime="2026-01-05">Mon 5 Jan 2026</time> 1h 30m 45m 1:30'


def test_progress_macro_is_readable_without_colour(app):
    template = '{% from "_macros.html" import progress %}{{ progress("Reading", m, 60) }}'
    with app.test_request_context():
        partway = render_template_string(template, m=45)
        beyond = render_template_string(template, m=90)
    assert "45m of 1h" in partway and 'value="45" max="60"' in partway and "met" not in partway
    assert "1h 30m of 1h ✓" in beyond and 'value="60" max="60"' in beyond
    assert 'class="bar met"' in beyond


def test_confirm_macro_posts_with_csrf_and_offers_a_way_back(app):
    template = (
        '{% from "_macros.html" import confirm %}'
        '{{ confirm("Delete this log?", consequence, "/logs/1/delete", "/logs/") }}'
    )
    with app.test_request_context():
        page = render_template_string(template, consequence="45m of Reading on Fri 27 Nov.")
    assert 'method="post" action="/logs/1/delete"' in page
    assert 'name="csrf_token"' in page
    assert '<a class="button" href="/logs/">Cancel</a>' in page
    assert page.count("<h1") == 1


def test_field_macro_links_errors_and_help(app, client):
    response = client.post("/auth/register", data={"username": "x", "email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-describedby="username-error username-help"' in page
    assert 'aria-invalid="true"' in page
    assert page.count('id="username-error"') == 1


def test_form_fields_carry_no_attribute_set_to_none(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '"None"' not in page


def test_a_moment_shows_in_the_users_zone():
    from datetime import UTC, datetime

    from httracker.formatting import local_time_tag

    moment = datetime(2026, 11, 27, 22, 5, tzinfo=UTC)
    assert str(local_time_tag(moment, "Asia/Tokyo")) == (
        '<time datetime="2026-11-27T22:05:00+00:00">Sat 28 Nov 2026, 07:05 JST</time>'
    )
    assert "Fri 27 Nov 2026, 22:05 UTC" in str(local_time_tag(moment, "UTC"))


def test_the_sessions_page_uses_the_users_zone(client, app, user):
    client.post("/settings/preferences", data={"timezone": "Asia/Tokyo", "week_start": "monday"})
    page = client.get("/settings/sessions").get_data(as_text=True)
    assert " JST</time>" in page and " UTC</time>" not in page
