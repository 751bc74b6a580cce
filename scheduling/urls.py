from django.urls import path

from scheduling import api, views

urlpatterns = [
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/new/", views.handover_new, name="handover-new"),
    path("handovers/open-cases/", views.handover_open_cases, name="handover-open-cases"),
    path("handovers/<int:handover_id>/", views.handover_detail, name="handover-detail"),
    path(
        "handovers/<int:handover_id>/acknowledge/",
        views.handover_acknowledge,
        name="handover-acknowledge",
    ),
    path(
        "handovers/<int:handover_id>/addendum/", views.handover_addendum, name="handover-addendum"
    ),
    path(
        "handovers/addenda/<int:addendum_id>/acknowledge/",
        views.handover_addendum_acknowledge,
        name="handover-addendum-acknowledge",
    ),
    path("my-cases/", views.my_leftover_cases, name="my-leftover-cases"),
    path(
        "handovers/cases/<int:case_id>/confirm/",
        views.handover_case_confirm,
        name="handover-case-confirm",
    ),
    path(
        "handovers/cases/<int:case_id>/outcome/",
        views.handover_case_outcome,
        name="handover-case-outcome",
    ),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/import/", views.schedule_import, name="schedule-import"),
    path("schedule/publish/", views.schedule_publish, name="schedule-publish"),
    path("my-schedule/", views.my_schedule, name="my-schedule"),
    path("swaps/", views.swaps, name="swaps"),
    path("swaps/propose/", views.swap_propose, name="swap-propose"),
    path("swaps/<int:swap_id>/", views.swap_detail, name="swap-detail"),
    path("swaps/<int:swap_id>/accept/", views.swap_accept, name="swap-accept"),
    path("swaps/<int:swap_id>/decline/", views.swap_decline, name="swap-decline"),
    path("swaps/<int:swap_id>/cancel/", views.swap_cancel, name="swap-cancel"),
    path("swaps/<int:swap_id>/approve/", views.swap_approve, name="swap-approve"),
    path("swaps/<int:swap_id>/refuse/", views.swap_refuse, name="swap-refuse"),
    path("leave/", views.leave, name="leave"),
    path("leave/request/", views.leave_request, name="leave-request"),
    path("leave/<int:leave_id>/decide/", views.leave_decide, name="leave-decide"),
    path("leave/<int:leave_id>/cancel/", views.leave_cancel, name="leave-cancel"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/export/", views.attendance_export, name="attendance-export"),
    path("staffing/", views.staffing, name="staffing"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/new/", views.briefing_new, name="briefing-new"),
    path("briefings/<int:briefing_id>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<int:briefing_id>/read/", views.briefing_read, name="briefing-read"),
    # API
    path("api/staffing/", api.StaffingApi.as_view(), name="api-staffing"),
    path("api/attendance/", api.AttendanceApi.as_view(), name="api-attendance"),
    path("api/shifts/", api.ShiftListApi.as_view(), name="api-shift-list"),
    path("api/shifts/import/", api.ShiftImportApi.as_view(), name="api-shift-import"),
    path("api/shifts/publish/", api.WeekPublishApi.as_view(), name="api-week-publish"),
    path("api/swaps/", api.SwapListApi.as_view(), name="api-swap-list"),
    path("api/swaps/<int:swap_id>/", api.SwapDetailApi.as_view(), name="api-swap-detail"),
    path("api/swaps/<int:swap_id>/accept/", api.SwapAcceptApi.as_view(), name="api-swap-accept"),
    path("api/swaps/<int:swap_id>/decline/", api.SwapDeclineApi.as_view(), name="api-swap-decline"),
    path("api/swaps/<int:swap_id>/cancel/", api.SwapCancelApi.as_view(), name="api-swap-cancel"),
    path("api/swaps/<int:swap_id>/approve/", api.SwapApproveApi.as_view(), name="api-swap-approve"),
    path("api/swaps/<int:swap_id>/refuse/", api.SwapRefuseApi.as_view(), name="api-swap-refuse"),
    path("api/leave/", api.LeaveListApi.as_view(), name="api-leave-list"),
    path("api/leave/<int:leave_id>/decide/", api.LeaveDecideApi.as_view(), name="api-leave-decide"),
    path("api/leave/<int:leave_id>/cancel/", api.LeaveCancelApi.as_view(), name="api-leave-cancel"),
    path("api/briefings/", api.BriefingListApi.as_view(), name="api-briefing-list"),
    path(
        "api/briefings/<int:briefing_id>/read/",
        api.BriefingReadApi.as_view(),
        name="api-briefing-read",
    ),
    path("api/handovers/", api.HandoverListApi.as_view(), name="api-handover-list"),
    path(
        "api/handovers/open-cases/", api.OpenCaseListApi.as_view(), name="api-handover-open-cases"
    ),
    path(
        "api/handovers/<int:handover_id>/",
        api.HandoverDetailApi.as_view(),
        name="api-handover-detail",
    ),
    path(
        "api/handovers/<int:handover_id>/acknowledge/",
        api.HandoverAcknowledgeApi.as_view(),
        name="api-handover-acknowledge",
    ),
    path(
        "api/handovers/<int:handover_id>/addenda/",
        api.HandoverAddendumApi.as_view(),
        name="api-handover-addendum",
    ),
    path(
        "api/handover-addenda/<int:addendum_id>/acknowledge/",
        api.HandoverAddendumAcknowledgeApi.as_view(),
        name="api-handover-addendum-acknowledge",
    ),
    path("api/leftover-cases/", api.LeftoverCaseListApi.as_view(), name="api-leftover-case-list"),
    path(
        "api/leftover-cases/<int:case_id>/",
        api.LeftoverCaseDetailApi.as_view(),
        name="api-leftover-case-detail",
    ),
    path(
        "api/leftover-cases/<int:case_id>/reassign/",
        api.LeftoverCaseReassignApi.as_view(),
        name="api-leftover-case-reassign",
    ),
    path(
        "api/leftover-cases/<int:case_id>/close/",
        api.LeftoverCaseCloseApi.as_view(),
        name="api-leftover-case-close",
    ),
    path(
        "api/handover-cases/<int:case_id>/confirm/",
        api.HandoverCaseConfirmApi.as_view(),
        name="api-handover-case-confirm",
    ),
    path(
        "api/handover-cases/<int:case_id>/outcome/",
        api.HandoverCaseOutcomeApi.as_view(),
        name="api-handover-case-outcome",
    ),
]
