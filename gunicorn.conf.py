"""gunicorn settings, from the environment like the app's own."""

import os

from config import ConfigError, load_config

# Fail before any worker starts, with the same one-line message as `flask`.
try:
    load_config()
except ConfigError as error:
    raise SystemExit(f"httracker: {error}") from None

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers: a sync worker serves one request at a time, so two long requests (two large
# imports) would hold both workers and leave /healthz and every page waiting. Each gthread worker
# serves GUNICORN_THREADS requests at once; a request waiting on the database releases the GIL.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The longest request line gunicorn accepts (its maximum; the default is 4094), so an API query
# string with long filters reaches the app and gets its problem document, not gunicorn's page.
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
