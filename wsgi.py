"""The WSGI entry point: `gunicorn wsgi:app`."""

from httracker import create_app

app = create_app()
