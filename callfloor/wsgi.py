"""WSGI entry point: the plain HTTP of the product (pages, API, telephony events) under a WSGI
server such as gunicorn; the board sockets (`/ws/`) stay on Daphne (callfloor/asgi.py).

The C heap's free pages are handed back every `CALLFLOOR_MALLOC_TRIM_S` seconds, as in the ASGI
server (callfloor/malloc_trim.py); gunicorn imports this module in each worker, so each worker
runs its own trim thread.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - needs Django set up first

from callfloor import malloc_trim  # noqa: E402

malloc_trim.start(settings.CALLFLOOR_MALLOC_TRIM_S)
