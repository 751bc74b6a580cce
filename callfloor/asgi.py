"""ASGI entry point: the wall-board sockets (`/ws/`) through Channels, under Daphne.

In production the plain HTTP goes to gunicorn (callfloor/wsgi.py) and only `/ws/` comes here
(docker-compose.yml); the HTTP route stays for development and a single-process setup.
Sockets carry the session (AuthMiddlewareStack) and are refused from origins outside
ALLOWED_HOSTS; consumers refuse anonymous users themselves. Under Daphne, a socket whose client
stops reading is dropped once its unsent messages pass CALLFLOOR_WS_MAX_BUFFER_BYTES. The C
heap's free pages are handed back every `CALLFLOOR_MALLOC_TRIM_S` seconds
(callfloor/malloc_trim.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

from callfloor import malloc_trim  # noqa: E402

malloc_trim.start(settings.CALLFLOOR_MALLOC_TRIM_S)

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from callfloor import slow_sockets  # noqa: E402
from callfloor.routing import websocket_urlpatterns  # noqa: E402

slow_sockets.install(settings.CALLFLOOR_WS_MAX_BUFFER_BYTES)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
