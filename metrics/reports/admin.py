"""Admin of the report-side models: who gets the daily summary, and the survey results."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin
from metrics.reports.models import SummaryRecipient, SurveyResult


@admin.register(SummaryRecipient)
class SummaryRecipientAdmin(admin.ModelAdmin):
    list_display = ["user", "active"]
    list_filter = ["active"]
    autocomplete_fields = ["user"]


@admin.register(SurveyResult)
class SurveyResultAdmin(ReadOnlyAdmin):
    """A survey result is the customer's own score of a call, as the survey system sent it:
    it is read here, never added, changed or deleted (the CSAT figures are computed from it)."""

    list_display = ["call_id", "source", "score", "resolved", "answered_at", "queue_call"]
    list_filter = ["source", "resolved"]
    search_fields = ["call_id"]
    raw_id_fields = ["queue_call"]
