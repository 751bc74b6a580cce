"""Coaching in the admin: read-only (sessions change through their audited services)."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from qa.models import CoachingAction, CoachingSession


class CoachingActionInline(ReadOnlyInline):
    model = CoachingAction
    fields = ["text", "due_on", "outcome", "outcome_note", "outcome_at"]
    readonly_fields = fields


@admin.register(CoachingSession)
class CoachingSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "topic", "agent", "coach", "source", "status", "held_at"]
    list_filter = ["status", "source"]
    search_fields = ["topic", "agent__display_name"]
    inlines = [CoachingActionInline]
