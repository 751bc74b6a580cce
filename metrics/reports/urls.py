from django.urls import path

from metrics.reports import api as report_api
from metrics.reports import views as report_views

urlpatterns = [
    path("reports/", report_views.index, name="reports"),
    path("reports/queues/", report_views.queue_report, name="report-queue"),
    path("reports/site/", report_views.site_report, name="report-site"),
    path("reports/abandoned/", report_views.abandoned_report, name="report-abandoned"),
    path("reports/agents/<int:agent_id>/", report_views.agent_report, name="report-agent"),
    path("reports/teams/<int:team_id>/", report_views.team_report, name="report-team"),
    path("api/reports/queues/", report_api.QueueReportApi.as_view(), name="api-report-queue"),
    path("api/reports/site/", report_api.SiteReportApi.as_view(), name="api-report-site"),
    path(
        "api/reports/abandoned/",
        report_api.AbandonedReportApi.as_view(),
        name="api-report-abandoned",
    ),
    path(
        "api/reports/agents/<int:agent_id>/",
        report_api.AgentReportApi.as_view(),
        name="api-report-agent",
    ),
    path(
        "api/reports/teams/<int:team_id>/",
        report_api.TeamReportApi.as_view(),
        name="api-report-team",
    ),
]
