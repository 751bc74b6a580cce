"""Every error a person meets is the product's page, in the product's layout and their language.

The pages (templates 400/403/404/500/503.html, on `_error_page.html`) extend base.html and need
nothing but the static basics: 400, 500 and 503 are drawn without the request's context (no
database, no session), as Django does. API paths keep their JSON error shape
(`callfloor.errors.error_body`).

`error_page(request, reason, status=...)` is the answer of a view that refuses a request (a bad
filter in a page's URL); `language_of(request)` is the reader's language for the answers given
before LocaleMiddleware has run (the middleware of callfloor.middleware).
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from agents.middleware import url_language
from callfloor.errors import error_body

# Status → template; any other status uses the 400 page with the reason given.
TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 500: "500.html", 503: "503.html"}


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def language_of(request) -> str:
    """The reader's language from the request alone: a board's ?lang=, the language cookie, then
    the browser's Accept-Language (a signed-in person's stored choice needs the session, which
    is not open yet where this is used)."""
    return url_language(request) or translation.get_language_from_request(request)


def error_page(
    request, reason: str = "", *, status: int = 400, with_request: bool = True
) -> HttpResponse:
    """The product's error page with `reason`; `with_request=False` draws it from nothing but
    the static basics (no context processors: no database, no session)."""
    template = loader.get_template(TEMPLATES.get(status, "400.html"))
    context = {"reason": reason, "status": status}
    body = template.render(context, request if with_request else None)
    return HttpResponse(body, status=status)


def bad_request(request, exception):
    if is_api(request):
        return JsonResponse(error_body("bad_request", _("The request is malformed.")), status=400)
    return error_page(request, status=400, with_request=False)


def permission_denied(request, exception):
    reason = str(exception) if exception is not None else ""
    if is_api(request):
        message = reason or _("You do not have permission to perform this action.")
        return JsonResponse(error_body("permission_denied", message), status=403)
    return error_page(request, reason, status=403)


def page_not_found(request, exception):
    if is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return error_page(request, status=404)


def server_error(request):
    if is_api(request):
        message = _("Something went wrong on our side; nothing was stored. Try again shortly.")
        return JsonResponse(error_body("server_error", message), status=500)
    return error_page(request, status=500, with_request=False)


def csrf_failure(request, reason: str = ""):
    """A form sent from a page that is too old (or from another site)."""
    if is_api(request):
        return JsonResponse(
            error_body("permission_denied", _("The form's security check failed.")), status=403
        )
    return error_page(
        request,
        _("The form's security check failed: reload the page and send the form again."),
        status=403,
    )
