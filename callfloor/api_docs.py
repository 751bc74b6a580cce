"""Who may read the API's schema and docs page: staff, unless the site makes them public."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import BasePermission

from agents.access import is_staff_role


class CanReadApiDocs(BasePermission):
    """Logged-in staff (Django staff or any role but agent); everyone with the public setting."""

    def has_permission(self, request, view) -> bool:
        if settings.CALLFLOOR_PUBLIC_API_DOCS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or is_staff_role(user)))


schema_view = SpectacularAPIView.as_view(permission_classes=[CanReadApiDocs])
docs_view = SpectacularSwaggerView.as_view(
    url_name="api-schema", permission_classes=[CanReadApiDocs]
)
