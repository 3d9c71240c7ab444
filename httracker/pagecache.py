"""Rendered pages, kept per worker and filed under the account's data version.

Users read far more often than they write, and a page of theirs changes only when their rows
do (versions.py moves `User.data_version` in the transaction of every such change) or when
their today does. So a page is filed under (account, version, URL, today): while the version
stands, the page rendered for it is current, on every worker and instance, and the next request
for it costs the one query that loads the user anyway.

What a page shows besides the account's rows is kept out of what is filed: the CSRF token is
rendered as a marker and each answer gets its session's own; a page with a message waiting to
be shown (a flash), a running timer (its clock moves) or anything a view marks as
per-request (`skip`) is rendered afresh and not kept. Only 200 answers are kept.

The store is a least-recently-used map bounded in bytes (`PAGE_CACHE_BYTES` per worker, 0 turns
it off) and in pages per account; filing a page of an account drops its pages of other versions
at once."""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from . import versions  # noqa: F401  (its session events move the versions pages are filed under)
from .analytics import report

EXTENSION = "httracker.pagecache"
PAGES_PER_ACCOUNT = 64


@dataclass(frozen=True)
class Page:
    body: bytes
    mimetype: str


class PageStore:
    """A thread-safe LRU of pages bounded in bytes, knowing each account's keys."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.by_user: dict[int, set[tuple]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Page) -> None:
        """Keep `page` under `key` (account, version, …), unless it is too large or one too
        many for the account; the account's pages of any other version go (the version moved,
        or an account that had its id before was deleted)."""
        if len(page.body) > self.max_bytes // 4:
            return  # one page must not push out everything else
        user_id, version = key[0], key[1]
        with self.lock:
            for old in [old for old in self.by_user.get(user_id, ()) if old[1] != version]:
                self._drop(old)
            if key in self.pages:
                self._drop(key)
            elif len(self.by_user.get(user_id, ())) >= PAGES_PER_ACCOUNT:
                return  # query strings without end must not push out everyone else's pages
            self.pages[key] = page
            self.by_user.setdefault(user_id, set()).add(key)
            self.size += len(page.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.pages)))

    def _drop(self, key: tuple) -> None:
        page = self.pages.pop(key, None)
        if page is None:
            return
        self.size -= len(page.body)
        keys = self.by_user.get(key[0])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self.by_user[key[0]]

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.by_user.clear()
            self.size = 0


def init_app(app: Flask) -> None:
    size = app.config.get("PAGE_CACHE_BYTES", 0)
    app.extensions[EXTENSION] = PageStore(size) if size else None


def store() -> PageStore | None:
    return current_app.extensions.get(EXTENSION)


# What the templates render where the CSRF token goes; random per process, so no text a user
# types can be taken for it.
MARKER = "csrf-" + secrets.token_hex(16)
MARKER_BYTES = MARKER.encode()


def _keepable(skip: Callable[[], bool] | None) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and current_user.is_authenticated
        and current_user.timer is None
        and "_flashes" not in session
        and not (skip and skip())
    )


def cached_page(skip: Callable[[], bool] | None = None):
    """Serve the view's page from the store while the account's data version stands. `skip`
    says when this request's page holds something of the request's own (not to be kept)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            pages = store()
            if pages is None or not _keepable(skip):
                return view(*args, **kwargs)
            key = (
                current_user.id,
                current_user.data_version,
                report.today_for(current_user),  # the view's own today (tests pin it)
                request.url,
            )
            page = pages.get(key)
            if page is None:
                page = _render(view, args, kwargs)
                if isinstance(page, Page):
                    pages.put(key, page)
                else:
                    return page  # not a page to keep: the view's answer as it is
            response = make_response(page.body.replace(MARKER_BYTES, _token()))
            response.mimetype = page.mimetype
            return response

        return wrapper

    return decorate


def _token() -> bytes:
    return generate_csrf().encode()


def _render(view, args, kwargs):
    """The view's page with the marker for the CSRF token, or its answer when it is not a 200
    page (or the view changed the session: something shown once)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, MARKER)
    changed_before = session.modified
    try:
        response = make_response(view(*args, **kwargs))
    finally:
        g.pop(field, None)
    if response.direct_passthrough:
        return response
    if response.status_code != 200 or (session.modified and not changed_before):
        response.set_data(response.get_data().replace(MARKER_BYTES, _token()))
        return response
    return Page(body=response.get_data(), mimetype=response.mimetype)
