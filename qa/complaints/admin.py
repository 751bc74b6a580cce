from django.contrib import admin

from qa.complaints.models import (
    Callback,
    Category,
    CentreManager,
    ClosedDay,
    Complaint,
    Escalation,
    Forwarding,
    LiveEscalation,
    Note,
    OpeningHours,
    RootCause,
    ServiceLevelPolicy,
)


@admin.register(Category, RootCause)
class ListAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(ServiceLevelPolicy)
class ServiceLevelPolicyAdmin(admin.ModelAdmin):
    list_display = ["severity", "acknowledge_minutes", "resolve_minutes", "business_hours"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]


@admin.register(CentreManager)
class CentreManagerAdmin(admin.ModelAdmin):
    list_display = ["user"]
    autocomplete_fields = ["user"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoteInline(ReadOnlyInline):
    model = Note


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fk_name = "complaint"


class CallbackInline(ReadOnlyInline):
    model = Callback


class ForwardingInline(ReadOnlyInline):
    model = Forwarding


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Cases change only through the product's pages and API, where every change is audited."""

    list_display = ["id", "status", "severity", "tier", "category", "owner", "created_at"]
    list_filter = ["status", "severity", "tier", "category"]
    inlines = [NoteInline, EscalationInline, CallbackInline, ForwardingInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LiveEscalation)
class LiveEscalationAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "site", "agent", "status", "reason"]
    list_filter = ["status", "site"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
