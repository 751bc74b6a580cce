"""What the scheduling pages share: rendering in the site's zone, failures as messages, the
agent behind a request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from agents.access import agent_of
from agents.roles import Role
from callfloor.errors import DomainError
from scheduling import access

User = get_user_model()
LEADS = access.LEADS


def render_page(request, template: str, context: dict | None = None, status: int = 200):
    """Render (times show in the site's zone: `SiteTimeZoneMiddleware`)."""
    return render(request, template, context or {}, status=status)


def flash_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def own_agent(request):
    agent = agent_of(request.user)
    if agent is None:
        raise PermissionDenied
    return agent


SWAP_ROLES = (Role.AGENT, *LEADS)
