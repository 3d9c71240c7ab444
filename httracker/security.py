"""Request-level safety: proxy headers and safe redirects."""

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    if app.config.get("TRUST_PROXY"):
        # One proxy in front (the usual load balancer or platform router).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)


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
