"""The language of a response: the person's own, or the one a wall board's URL names."""

from django.conf import settings
from django.utils import translation

# The session key under which a signed-in person's stored language is kept (set at login and
# by the language switch), so that a request needs no query to know it.
SESSION_LANGUAGE_KEY = "callfloor_language"
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def url_language(request) -> str | None:
    """`?lang=zh-hant` on a page's URL (a TV wall board nobody clicks on)."""
    if request.method not in ("GET", "HEAD"):
        return None
    code = (request.GET.get("lang") or "").strip().lower()
    return code if code in SUPPORTED else None


class UserLanguageMiddleware:
    """After LocaleMiddleware (cookie, Accept-Language) and authentication.

    A ?lang= in the URL wins for that response only; then a signed-in person's stored language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = url_language(request)
        stored = None
        user = getattr(request, "user", None)
        if code is None and user is not None and user.is_authenticated:
            stored = request.session.get(SESSION_LANGUAGE_KEY)
            code = stored = stored if stored in SUPPORTED else None
        if code is not None and code != translation.get_language():
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if stored and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored:
            # The login page after a log-out speaks the person's language on this device too.
            set_language_cookie(response, stored)
        return response


def set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
