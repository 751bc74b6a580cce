"""Who may do what: role checks and object rules for people and teams.

Every app checks roles through these helpers (or the DRF permission class built from them),
so a role means the same thing everywhere.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from rest_framework.permissions import BasePermission

from agents.roles import STAFF_ROLES, Role
from agents.swaps.models import swapped_roles


def roles_of(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request: their groups and
    the roles a role swap in force gives them (checked at each request, so an expired swap
    grants nothing even before the task that ends it has run)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_callfloor_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) | swapped_roles(user)
        if user.is_superuser:
            cached = cached | {Role.ADMIN}
        user._callfloor_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_role(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def agent_of(user):
    """The Agent profile of a user, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.agent
    except Exception:
        return None


def teams_led_by(user):
    from agents.models import Team

    return Team.objects.filter(lead=user)


def role_required(*roles: str) -> Callable:
    """Page decorator: anonymous users go to the login page, others without a role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(Role.SUPERVISOR, Role.ADMIN)]`."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *self.roles)


# --- team scope: a team lead reads and acts on their own teams' agents ---------------------------

# Roles that read every agent's profile, evaluations and reports.
WHOLE_FLOOR_READERS = (Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)


def team_leads_read_whole_floor() -> bool:
    """The site's choice (`CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR`): team leads may read every
    team's agents. Acting on an agent (approving, screening, editing) stays with their own."""
    return bool(getattr(settings, "CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR", False))


def reads_every_agent(user) -> bool:
    if has_role(user, *WHOLE_FLOOR_READERS):
        return True
    return has_role(user, Role.TEAM_LEAD) and team_leads_read_whole_floor()


def leads_agent(user, agent) -> bool:
    """`user` is a team lead and `agent` is in a team they lead."""
    if agent is None or agent.team_id is None or not has_role(user, Role.TEAM_LEAD):
        return False
    return teams_led_by(user).filter(pk=agent.team_id).exists()


def readable_agents_q(user, prefix: str = "") -> Q | None:
    """The Q over `<prefix>` (an Agent relation such as "agent__", or "" for Agent itself) that
    the agents `user` may read satisfy; None when they read every agent.

    An agent reads themself; a team lead also the agents of the teams they lead."""
    if reads_every_agent(user):
        return None
    condition = Q(pk__in=[])
    own = agent_of(user)
    if own is not None:
        condition |= Q(**{f"{prefix}pk": own.pk})
    if has_role(user, Role.TEAM_LEAD):
        condition |= Q(**{f"{prefix}team__lead": user})
    return condition


def can_see_agent(user, agent) -> bool:
    """QA analysts, supervisors and admins see every agent; a team lead the agents of their
    teams (every agent when the site allows it); an agent only themself."""
    if reads_every_agent(user) or leads_agent(user, agent):
        return True
    own = agent_of(user)
    return own is not None and own.pk == agent.pk
