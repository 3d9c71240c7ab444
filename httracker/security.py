"""Request-level safety: proxy headers, security headers on every response, hostile input
turned away before any view sees it, and safe redirects."""

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# No page needs a camera, a microphone, the location or a payment: deny them all, and to any
# frame (there are none).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # frame-ancestors 'none' for browsers that predate it.
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
HSTS = "max-age=31536000; includeSubDomains"
# Ids in URLs are database integers; larger numbers cannot name anything (and SQLite's driver
# cannot even bind them).
MAX_ID = 2**31 - 1


def register(app: Flask) -> None:
    if app.config.get("TRUST_PROXY"):
        # One proxy in front (the usual load balancer or platform router).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    app.before_request(reject_hostile_input)
    app.after_request(set_security_headers)


def set_security_headers(response):
    """Runs for every response, error pages included."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("HSTS"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    set_cache_control(response)
    return response


def set_cache_control(response) -> None:
    """`no-store` on everything but static files: pages, exports, JSON and redirects carry
    someone's records, which a shared or stolen device must not keep after logout. Static
    files are the same for everyone and keep Flask's caching."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"


def has_nul(value: str) -> bool:
    return "\x00" in value


def reject_hostile_input() -> None:
    """400 for NUL characters (no database stores them as text), 404 for impossible ids,
    413 for a declared body over the limit before anything reads it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        abort(413)
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            abort(404)
    if has_nul(request.path) or any(
        has_nul(key) or has_nul(value) for key, value in request.args.items(multi=True)
    ):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and any(
        has_nul(key) or has_nul(value) for key, value in request.form.items(multi=True)
    ):
        abort(400)


def is_safe_next(target: str | None) -> bool:
    """True for a relative path on this site: '/x?y', never '//host', '/\\host' or a scheme."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is safe to redirect to, else `default`."""
    return target if is_safe_next(target) else default
