"""A person's stored language follows them to every device they sign in on."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from agents.middleware import SESSION_LANGUAGE_KEY, SUPPORTED


@receiver(user_logged_in, dispatch_uid="agents.language_at_login")
def language_at_login(sender, request, user, **kwargs) -> None:
    """Put the stored language in the new session; a first choice made before login is kept."""
    from agents import services

    if request is None or not hasattr(request, "session"):
        return
    stored = services.user_language(user=user)
    if not stored:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in SUPPORTED:
            stored = services.user_language_set(user=user, language=chosen)
    if stored:
        request.session[SESSION_LANGUAGE_KEY] = stored
