from django.urls import path

from qa.complaints import api, views

urlpatterns = [
    # pages
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_create, name="complaint-create"),
    path("complaints/escalations/", views.complaint_escalations, name="complaint-escalations"),
    path("complaints/reports/", views.complaint_reports, name="complaint-reports"),
    path(
        "complaints/reports/export.<str:fmt>",
        views.complaint_report_export,
        name="complaint-report-export",
    ),
    path("complaints/live/", views.live_escalation_raise, name="live-escalation-raise"),
    path(
        "complaints/live/<int:live_id>/<slug:action>/",
        views.live_escalation_action,
        name="live-escalation-action",
    ),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:complaint_id>/<slug:action>/",
        views.complaint_action,
        name="complaint-action",
    ),
    # API
    path("api/complaints/", api.ComplaintListApi.as_view(), name="api-complaint-list"),
    path(
        "api/complaints/categories/", api.CategoryListApi.as_view(), name="api-complaint-categories"
    ),
    path("api/complaints/reports/", api.ReportApi.as_view(), name="api-complaint-reports"),
    path(
        "api/complaints/<int:complaint_id>/",
        api.ComplaintDetailApi.as_view(),
        name="api-complaint-detail",
    ),
    path(
        "api/complaints/<int:complaint_id>/history/",
        api.ComplaintHistoryApi.as_view(),
        name="api-complaint-history",
    ),
    path(
        "api/complaints/<int:complaint_id>/acknowledge/",
        api.AcknowledgeApi.as_view(),
        name="api-complaint-acknowledge",
    ),
    path(
        "api/complaints/<int:complaint_id>/investigate/",
        api.InvestigateApi.as_view(),
        name="api-complaint-investigate",
    ),
    path(
        "api/complaints/<int:complaint_id>/propose-resolution/",
        api.ProposeResolutionApi.as_view(),
        name="api-complaint-propose-resolution",
    ),
    path(
        "api/complaints/<int:complaint_id>/await-callback/",
        api.AwaitCallbackApi.as_view(),
        name="api-complaint-await-callback",
    ),
    path(
        "api/complaints/<int:complaint_id>/callbacks/",
        api.RecordCallbackApi.as_view(),
        name="api-complaint-callback",
    ),
    path(
        "api/complaints/<int:complaint_id>/close/",
        api.CloseApi.as_view(),
        name="api-complaint-close",
    ),
    path(
        "api/complaints/<int:complaint_id>/reopen/",
        api.ReopenApi.as_view(),
        name="api-complaint-reopen",
    ),
    path(
        "api/complaints/<int:complaint_id>/pause/",
        api.PauseApi.as_view(),
        name="api-complaint-pause",
    ),
    path(
        "api/complaints/<int:complaint_id>/resume/",
        api.ResumeApi.as_view(),
        name="api-complaint-resume",
    ),
    path(
        "api/complaints/<int:complaint_id>/notes/", api.NoteApi.as_view(), name="api-complaint-note"
    ),
    path(
        "api/complaints/<int:complaint_id>/forward/",
        api.ForwardApi.as_view(),
        name="api-complaint-forward",
    ),
    path(
        "api/complaints/<int:complaint_id>/escalate/",
        api.EscalateApi.as_view(),
        name="api-complaint-escalate",
    ),
    path(
        "api/live-escalations/",
        api.LiveEscalationListApi.as_view(),
        name="api-live-escalation-list",
    ),
    path(
        "api/live-escalations/<int:live_id>/take/",
        api.LiveEscalationTakeApi.as_view(),
        name="api-live-escalation-take",
    ),
    path(
        "api/live-escalations/<int:live_id>/close/",
        api.LiveEscalationCloseApi.as_view(),
        name="api-live-escalation-close",
    ),
]
