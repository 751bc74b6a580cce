"""Admin of the report-side models: who gets the daily summary, and the survey results."""

from django.contrib import admin

from metrics.reports.models import SummaryRecipient, SurveyResult


@admin.register(SummaryRecipient)
class SummaryRecipientAdmin(admin.ModelAdmin):
    list_display = ["user", "active"]
    list_filter = ["active"]
    autocomplete_fields = ["user"]


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin):
    list_display = ["call_id", "source", "score", "resolved", "answered_at", "queue_call"]
    list_filter = ["source", "resolved"]
    search_fields = ["call_id"]
    raw_id_fields = ["queue_call"]
    readonly_fields = ["received_at"]
