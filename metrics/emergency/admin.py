"""Admin of emergency plans: the library with its roles and steps (every save audited); the
activations and drill attendance to look at (they change only through the floor's services)."""

from django.contrib import admin

from agents import services
from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from metrics.emergency.models import (
    Activation,
    ActivationStep,
    DrillAttendance,
    EmergencyPlan,
    PlanRole,
    PlanStep,
)


class PlanRoleInline(admin.TabularInline):
    model = PlanRole
    extra = 0
    autocomplete_fields = ["person"]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    autocomplete_fields = ["agent"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "trigger", "site", "active", "updated_at"]
    list_filter = ["trigger", "active", "site"]
    search_fields = ["title"]
    filter_horizontal = ["teams"]
    inlines = [PlanRoleInline, PlanStepInline]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.audit_record(
            actor=request.user,
            action="emergency_plan.updated" if change else "emergency_plan.created",
            target=form.instance,
            data={"title": form.instance.title, "fields": sorted(form.changed_data)},
        )


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
