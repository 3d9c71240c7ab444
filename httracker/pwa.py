"""Installable app: the web app manifest, the service worker (served from the root so its
scope is the whole site) and the offline page it shows when the network is down.

The worker caches only what is the same for everyone: the offline page (fetched without
cookies), the stylesheet, the script and the icons. Pages are `no-store` and are never put in
its cache; a page that cannot be fetched shows the offline page instead."""

from flask import Blueprint, current_app, render_template, url_for

bp = Blueprint("pwa", __name__)

THEME_COLOUR = "#236652"
BACKGROUND_COLOUR = "#f4f6f4"
ICONS = (
    ("icons/icon-192.png", "192x192", "image/png", "any"),
    ("icons/icon-512.png", "512x512", "image/png", "any"),
    ("icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("favicon.svg", "any", "image/svg+xml", "any"),
)
# Bump when the worker's cached files change shape, so old caches are dropped.
CACHE_NAME = "httracker-v1"


def static_url(filename: str) -> str:
    return url_for("static", filename=filename)


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest browsers read to install the app."""
    body = {
        "name": "HT-Tracker",
        "short_name": "HT-Tracker",
        "description": "Track habits and time, day by day.",
        "id": "/",
        "start_url": url_for("habits.dashboard"),
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static_url(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker, from the root so it may serve the offline page for any page."""
    precache = [url_for("pwa.offline")] + [
        static_url(path) for path in ("style.css", "app.js", "favicon.svg")
    ]
    body = render_template(
        "pwa/sw.js", cache_name=CACHE_NAME, precache=precache, offline=url_for("pwa.offline")
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    return response


@bp.route("/offline")
def offline():
    """What the service worker shows when a page cannot be fetched; the same for everyone."""
    return render_template("pwa/offline.html")
