"""Password reset by e-mail (throttled) and the password change an admin can require.

The reset pages are Django's own views. A reset request is counted per e-mail address and per
client address whether or not the address belongs to anyone, so the answer never tells who has
an account; past the limit the request is refused with 429 and no mail is sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agents import services
from agents.models import PasswordChangeRequired
from callfloor.client_ip import client_ip
from callfloor.errors import error_body

RESET_WINDOW_S = 3600


def _counted_over(key: str, limit: int) -> bool:
    """Count one request under `key` (a fixed window); True when past `limit`."""
    cache.add(key, 0, RESET_WINDOW_S)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, RESET_WINDOW_S)
        count = 1
    return count > limit


def reset_throttled(view: Callable) -> Callable:
    """Refuse password-reset requests past the hourly limits per e-mail and per address."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            email = request.POST.get("email", "").strip().lower()
            digest = hashlib.sha256(email.encode()).hexdigest()
            over = [
                _counted_over(
                    f"password-reset:email:{digest}", settings.CALLFLOOR_PASSWORD_RESETS_PER_EMAIL
                ),
                _counted_over(
                    f"password-reset:address:{client_ip(request)}",
                    settings.CALLFLOOR_PASSWORD_RESETS_PER_ADDRESS,
                ),
            ]
            if any(over):
                return render(request, "registration/password_reset_throttled.html", status=429)
        return view(request, *args, **kwargs)

    return wrapper


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


password_reset = reset_throttled(auth_views.PasswordResetView.as_view())
password_reset_confirm = PasswordResetConfirmView.as_view()
password_change = PasswordChangeView.as_view()

# What a person who must change their password may still open.
_OPEN_WHILE_REQUIRED = ("password_change", "password_change_done", "logout")


class PasswordChangeRequiredMiddleware:
    """Send a person whose password change an admin required to the change page until done."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in _OPEN_WHILE_REQUIRED}
            and PasswordChangeRequired.objects.filter(user_id=user.pk).exists()
        ):
            if request.path.startswith("/api/"):
                message = _("Your password must be changed before you continue.")
                return JsonResponse(error_body("password_change_required", message), status=403)
            return redirect("password_change")
        return self.get_response(request)
