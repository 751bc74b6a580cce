from django.urls import path

from scheduling import api, views

urlpatterns = [
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/new/", views.handover_new, name="handover-new"),
    path("handovers/open-cases/", views.handover_open_cases, name="handover-open-cases"),
    path("handovers/<int:handover_id>/", views.handover_detail, name="handover-detail"),
    path("handovers/<int:handover_id>/edit/", views.handover_edit, name="handover-edit"),
    path("handovers/<int:handover_id>/acknowledge/", views.handover_acknowledge,
         name="handover-acknowledge"),
    path("handovers/<int:handover_id>/addendum/", views.handover_addendum,
         name="handover-addendum"),
    path("handovers/cases/<int:case_id>/confirm/", views.handover_case_confirm,
         name="handover-case-confirm"),
    path("handovers/cases/<int:case_id>/outcome/", views.handover_case_outcome,
         name="handover-case-outcome"),
    # API
    path("api/handovers/", api.HandoverListApi.as_view(), name="api-handover-list"),
    path("api/handovers/open-cases/", api.OpenCaseListApi.as_view(),
         name="api-handover-open-cases"),
    path("api/handovers/<int:handover_id>/", api.HandoverDetailApi.as_view(),
         name="api-handover-detail"),
    path("api/handovers/<int:handover_id>/acknowledge/", api.HandoverAcknowledgeApi.as_view(),
         name="api-handover-acknowledge"),
    path("api/handovers/<int:handover_id>/addenda/", api.HandoverAddendumApi.as_view(),
         name="api-handover-addendum"),
    path("api/handover-cases/<int:case_id>/confirm/", api.HandoverCaseConfirmApi.as_view(),
         name="api-handover-case-confirm"),
    path("api/handover-cases/<int:case_id>/outcome/", api.HandoverCaseOutcomeApi.as_view(),
         name="api-handover-case-outcome"),
]
