"""Who may do what: role checks and object rules for people and teams.

Every app checks roles through these helpers (or the DRF permission class built from them),
so a role means the same thing everywhere.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from agents.roles import STAFF_ROLES, Role


def roles_of(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_callfloor_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
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


def can_see_agent(user, agent) -> bool:
    """Staff see every agent; an agent sees only themself."""
    if is_staff_role(user):
        return True
    own = agent_of(user)
    return own is not None and own.pk == agent.pk
