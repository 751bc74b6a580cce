"""What the quality API views share: permission classes and domain errors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import STAFF_ROLES, Role
from callfloor.errors import DomainError
from qa import access

User = get_user_model()


IsStaff = HasRole.of(*STAFF_ROLES)


IsManager = HasRole.of(*access.QA_MANAGERS)


IsAnalyst = HasRole.of(Role.QA_ANALYST)


IsAdmin = HasRole.of(Role.ADMIN)


IsSupervisor = HasRole.of(Role.SUPERVISOR)


FORBIDDEN = "You may not do this."


def deny() -> DomainError:
    return DomainError(FORBIDDEN, status_code=403, code="forbidden")


def not_found() -> DomainError:
    return DomainError(_("Not found."), status_code=404, code="not_found")


def name_input_components(namespace: dict) -> None:
    """Name each view's nested InputSerializer after its view in the OpenAPI schema."""
    for name, view in list(namespace.items()):
        if isinstance(view, type) and issubclass(view, APIView) and "InputSerializer" in vars(view):
            component = f"{name.removesuffix('Api')}Input"
            extend_schema_serializer(component_name=component)(view.InputSerializer)
