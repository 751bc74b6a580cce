"""Admin of emergency plans: plans, activations and drill attendance to look at. They change
only through their services (the plan editor at /floor/emergency/, the board), which check
the rules and write the audit rows; an admin form would do neither."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from metrics.emergency.models import (
    Activation,
    ActivationStep,
    DrillAttendance,
    EmergencyPlan,
    PlanRole,
    PlanStep,
)


class PlanRoleInline(ReadOnlyInline):
    model = PlanRole
    readonly_fields = ["position", "duty", "role", "person"]


class PlanStepInline(ReadOnlyInline):
    model = PlanStep
    readonly_fields = ["position", "text", "agent", "queue", "move"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "trigger", "site", "active", "updated_at"]
    list_filter = ["trigger", "active", "site"]
    search_fields = ["title"]
    inlines = [PlanRoleInline, PlanStepInline]


class ActivationStepInline(ReadOnlyInline):
    model = ActivationStep
    readonly_fields = ["position", "text", "agent", "queue", "move", "done_at", "done_by"]


@admin.register(Activation)
class ActivationAdmin(ReadOnlyAdmin):
    list_display = ["plan", "drill", "status", "scheduled_for", "started_at", "closed_at"]
    list_filter = ["drill", "status", "site"]
    inlines = [ActivationStepInline]


@admin.register(DrillAttendance)
class DrillAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["activation", "person", "marked_by", "marked_at"]
