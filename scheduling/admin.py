from django.contrib import admin

# State machines change only through their services (conditional updates + audit rows).
from callfloor.admin_readonly import ReadOnlyAdmin
from scheduling.models import (
    Briefing,
    Handover,
    HandoverAddendum,
    HandoverCase,
    LeaveRequest,
    Shift,
    ShiftActivity,
    Skill,
    SwapRequest,
)


class HandoverCaseInline(admin.TabularInline):
    model = HandoverCase
    extra = 0
    fields = ["customer_ref", "severity", "owner", "outcome", "outcome_note", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class HandoverAddendumInline(admin.TabularInline):
    model = HandoverAddendum
    extra = 0
    readonly_fields = ["author", "text", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = [
        "shift_date",
        "shift_name",
        "author",
        "to_lead",
        "supervisor",
        "status",
        "ack_due_at",
        "acknowledged_at",
    ]
    list_filter = ["status", "team"]
    inlines = [HandoverCaseInline, HandoverAddendumInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "requester", "colleague", "status", "created_at", "decided_by"]
    list_filter = ["status"]


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdmin):
    list_display = ["agent", "first_day", "last_day", "kind", "status", "decided_by"]
    list_filter = ["status"]


class ShiftActivityInline(admin.TabularInline):
    model = ShiftActivity
    extra = 0


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["agent", "start", "end", "published_at"]
    list_filter = ["agent__team"]
    search_fields = ["agent__display_name", "agent__employee_number"]
    date_hierarchy = "start"
    inlines = [ShiftActivityInline]

    # A published shift is the agent's schedule: it changes only by an audited swap or leave.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["agent", "queue"]
    list_filter = ["queue", "agent__team"]
    search_fields = ["agent__display_name"]


@admin.register(Briefing)
class BriefingAdmin(ReadOnlyAdmin):
    list_display = ["team", "kind", "held_at", "author"]
    list_filter = ["team", "kind"]
