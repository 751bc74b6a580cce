"""Requests the database cannot take, answered before they become a 500.

`RejectNullCharactersMiddleware`: PostgreSQL text cannot hold NUL, so a query parameter with one
is a 400 naming the parameter (bodies go through serializers, whose text fields refuse it).

`DatabaseUnavailableMiddleware`: a body over the upload limit is a 413 in the API's error shape;
the database is away (restarting, failing over, unreachable);
a telephony bridge or a browser that gets 503 with `Retry-After` sends again later; nothing it
sent in the refused request was stored, so nothing is lost or doubled.

`ContentSecurityPolicyMiddleware`: the Content-Security-Policy header on every response.

`SiteTimeZoneMiddleware`: pages show times on the site's clock (`CALLFLOOR_TIME_ZONE`); the
API keeps answering in UTC.

These answers come before LocaleMiddleware: each is written in the reader's language chosen
from the request alone (`error_pages.language_of`), and a page gets the product's error page.
"""

from __future__ import annotations

import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from callfloor.error_pages import error_page, is_api, language_of
from callfloor.errors import error_body
from callfloor.zone import site_zone

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
MESSAGE = gettext_lazy("The database is unavailable; nothing was stored. Try again shortly.")
NUL_MESSAGE = gettext_lazy("Null characters are not allowed.")
TOO_LARGE_MESSAGE = gettext_lazy(
    "The body is larger than %(limit)s bytes (or has too many fields)."
)


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
            with translation.override(language_of(request)):
                message = str(NUL_MESSAGE)
                if is_api(request):
                    fields = {key.replace("\x00", "\\0"): [message] for key in bad}
                    return JsonResponse(error_body("invalid", message, fields), status=400)
                return error_page(request, message, status=400, with_request=False)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        with translation.override(language_of(request)):
            return self._answer(request, exception)

    def _answer(self, request, exception):
        if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
            message = TOO_LARGE_MESSAGE % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
            if is_api(request):
                return JsonResponse(error_body("too_large", message), status=413)
            return error_page(request, message, status=413, with_request=False)
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
        if is_api(request):
            response = JsonResponse(error_body("unavailable", str(MESSAGE)), status=503)
        else:
            response = error_page(request, str(MESSAGE), status=503, with_request=False)
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


class SiteTimeZoneMiddleware:
    """Every page is rendered in the site's zone (the database keeps UTC): a template's
    `|date`, a form's naive date-time. Some views did this themselves and others did not, so
    the inbox, alert channels, escalations and listening history showed UTC. The API's
    times stay UTC (its contract), whatever the site's zone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        with timezone.override(site_zone()):
            return self.get_response(request)
