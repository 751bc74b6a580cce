"""Role swaps in the admin: read here, granted and ended through the page (audited)."""

from django.contrib import admin

from agents.swaps.models import RoleSwap
from callfloor.admin_readonly import ReadOnlyAdmin


@admin.register(RoleSwap)
class RoleSwapAdmin(ReadOnlyAdmin):
    list_display = ["id", "agent_as_analyst", "analyst_as_agent", "starts_at", "ends_at", "status"]
    list_filter = ["status"]
