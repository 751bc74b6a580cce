from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from agents import selectors, services
from agents.access import has_role
from agents.middleware import SESSION_LANGUAGE_KEY, SUPPORTED
from agents.roles import Role
from callfloor.errors import DomainError

# Where each role starts its day, in order of precedence for people with several roles.
HOME_BY_ROLE = [
    (Role.SUPERVISOR, "floor"),
    (Role.TEAM_LEAD, "handovers"),
    (Role.QA_ANALYST, "qa-worklist"),
    (Role.AGENT, "my-quality"),
    (Role.ADMIN, "admin:index"),
]


@login_required
def home(request):
    for role, url_name in HOME_BY_ROLE:
        if has_role(request.user, role):
            return redirect(url_name)
    return render(request, "agents/no_role.html", status=403)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        return redirect("notifications")
    threads = selectors.notification_threads(request.user)
    return render(request, "agents/notifications.html", {"threads": threads})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """A person's own settings: the phone they listen in from (supervisors and team leads)."""
    error = ""
    if request.method == "POST":
        try:
            services.user_extension_set(
                user=request.user, extension=request.POST.get("extension", "")
            )
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, gettext("Your profile is saved."))
            return redirect("profile")
    extension = (
        request.POST.get("extension", "") if error else selectors.user_extension(request.user)
    )
    return render(request, "agents/profile.html", {"extension": extension, "error": error})


@require_POST
def set_language(request):
    """Django's language switch, and for a signed-in person their stored choice too."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language", "")
    if code in SUPPORTED and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=code)
        request.session[SESSION_LANGUAGE_KEY] = code
    return response
