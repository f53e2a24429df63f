"""WSGI entry point, for any WSGI server (waitress, gunicorn, uWSGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")

application = get_wsgi_application()
