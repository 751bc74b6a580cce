"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Sockets carry the session (AuthMiddlewareStack) and are refused from origins outside
ALLOWED_HOSTS; consumers refuse anonymous users themselves. Under Daphne, a socket whose client
stops reading is dropped once its unsent messages pass CALLFLOOR_WS_MAX_BUFFER_BYTES.
HTTP requests run their sync code on `ASGI_THREADS` (default 8) long-lived threads rather than
on a new thread each (see callfloor/request_threads.py), and the C heap's free pages are handed
back every `CALLFLOOR_MALLOC_TRIM_S` seconds (callfloor/malloc_trim.py).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from callfloor.request_threads import PooledASGIHandler  # noqa: E402

django_asgi_app = PooledASGIHandler(settings.ASGI_THREADS)

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
