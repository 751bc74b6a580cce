"""Pages of the unattended displays: the display's board (no login) and the supervisors' list."""

from __future__ import annotations

import contextlib

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.access import role_required
from agents.models import Team
from agents.roles import Role
from callfloor.errors import DomainError
from metrics.board import displays
from metrics.board.bands import site_bands
from metrics.board.models import Display, DisplayLayout
from metrics.board.push import floor_sites
from metrics.board.snapshot import default_site, feed_config
from metrics.models import Queue


class DisplayForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    site = forms.ChoiceField(label=_("Site"))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.order_by("name"), required=False
    )
    language = forms.ChoiceField(label=_("Language"))
    layout = forms.ChoiceField(label=_("TV layout"), choices=DisplayLayout.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s, s) for s in floor_sites()]
        self.fields["site"].initial = default_site()
        self.fields["language"].choices = displays.languages()
        self.fields["language"].initial = translation.get_language() or "en"


def _list_page(request, form: DisplayForm, *, new_link: str = "", status: int = 200):
    rows = list(displays.displays_list())
    for row in rows:
        row.online = displays.display_is_online(row)
    return render(
        request,
        "metrics/displays.html",
        {"form": form, "displays": rows, "new_link": new_link},
        status=status,
    )


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def display_list(request):
    """The site's wall displays; registering one shows its link once, on this answer."""
    if request.method == "GET":
        return _list_page(request, DisplayForm())
    form = DisplayForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        _display, token = displays.display_create(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field, error.message)
        return _list_page(request, form, status=400)
    link = request.build_absolute_uri(f"/display/{token}/")
    response = _list_page(request, DisplayForm(), new_link=link, status=201)
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_POST
def display_revoke(request, display_id: int):
    display = get_object_or_404(Display, pk=display_id)
    with contextlib.suppress(DomainError):  # revoked already: the list shows it so
        displays.display_revoke(actor=request.user, display=display)
    return redirect("displays")


@require_GET
def display_board(request, token: str):
    """A display's board: no login, read-only, its filter only, callers masked."""
    display = displays.display_by_token(token=token)
    if display is None:
        raise Http404
    displays.display_seen(display_id=display.pk)
    config = {
        **feed_config(),
        "bands": site_bands(display.site),
        "ws_path": f"/ws/display/{token}/",
        "mode": "board",
        "tv": True,
        "display": True,
        "layout": display.layout,
        "can_broadcast": False,
        "can_act": False,
        "can_take_over": False,
        "roles": [],
        "act_teams": [],
        "teams": [],
        "queues": [],
        "team": "",
        "queue": "",
    }
    with translation.override(display.language):
        response = render(
            request,
            "metrics/display.html",
            {"config": config, "tv": True, "display": display},
        )
    response["Content-Language"] = display.language
    # The token is in the address: never sent on as a referrer, cached or indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
