"""Requests the database cannot take, answered before they become a 500.

`RejectNullCharactersMiddleware`: PostgreSQL text cannot hold NUL, so a query parameter with one
is a 400 naming the parameter (bodies go through serializers, whose text fields refuse it).

`DatabaseUnavailableMiddleware`: a body over the upload limit is a 413 in the API's error shape;
the database is away (restarting, failing over, unreachable);
a telephony bridge or a browser that gets 503 with `Retry-After` sends again later; nothing it
sent in the refused request was stored, so nothing is lost or doubled.

`ContentSecurityPolicyMiddleware`: the Content-Security-Policy header on every response.
"""

from __future__ import annotations

import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

from callfloor.errors import error_body

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
MESSAGE = "The database is unavailable; nothing was stored. Try again shortly."


NUL_MESSAGE = "Null characters are not allowed."


class RejectNullCharactersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted(
            {
                key
                for key, values in request.GET.lists()
                if "\x00" in key or any("\x00" in value for value in values)
            }
        )
        if bad:
            fields = {key.replace("\x00", "\\0"): [NUL_MESSAGE] for key in bad}
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("invalid", NUL_MESSAGE, fields), status=400)
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
        if too_big and request.path.startswith("/api/"):
            message = (
                f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes "
                "(or has too many fields)."
            )
            return JsonResponse(error_body("too_large", message), status=413)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.path,
            exception.__class__.__name__,
        )
        # A broken connection is not reused by the next request.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None and not connection.is_usable():
                connection.close()
        if request.path.startswith("/api/"):
            response = JsonResponse(error_body("unavailable", MESSAGE), status=503)
        else:
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every response, with the wall
    board's socket allowed: `connect-src` gains `ws://` or `wss://` of the host the page came
    from (browsers do not all count a socket to the same host as 'self')."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        try:
            host = request.get_host()  # validated against ALLOWED_HOSTS
        except DisallowedHost:
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        parts.update = {**(parts.update or {}), "connect-src": [f"{scheme}://{host}"]}
        return parts
