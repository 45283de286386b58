"""Entry point for WSGI servers: `gunicorn wsgi:app`."""

from djaboo import create_app

app = create_app()
