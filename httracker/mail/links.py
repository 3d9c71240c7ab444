"""Absolute links for mail, built from SITE_URL and never from the request's Host header."""

from urllib.parse import urlsplit

from flask import current_app

# Without SITE_URL (development), links point at the address `make run` serves.
LOCAL_SITE_URL = "http://127.0.0.1:5000"


def site_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` on the site SITE_URL names."""
    base = urlsplit(current_app.config["SITE_URL"] or LOCAL_SITE_URL)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
