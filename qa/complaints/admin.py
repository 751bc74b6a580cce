from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
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
    Pause,
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


class NoteInline(ReadOnlyInline):
    model = Note


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fk_name = "complaint"


class CallbackInline(ReadOnlyInline):
    model = Callback


class ForwardingInline(ReadOnlyInline):
    model = Forwarding


class PauseInline(ReadOnlyInline):
    model = Pause


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Cases change only through the product's pages and API, where every change is audited."""

    list_display = ["id", "status", "severity", "tier", "category", "owner", "created_at"]
    list_filter = ["status", "severity", "tier", "category"]
    inlines = [NoteInline, EscalationInline, CallbackInline, ForwardingInline, PauseInline]


@admin.register(LiveEscalation)
class LiveEscalationAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "site", "agent", "status", "reason"]
    list_filter = ["status", "site"]
