from django.urls import path

from metrics.emergency import api, views

urlpatterns = [
    path("floor/emergency/", views.plan_library, name="emergency-plans"),
    path("floor/emergency/plans/new/", views.plan_edit, name="emergency-plan-new"),
    path("floor/emergency/plans/<int:plan_id>/", views.plan_detail, name="emergency-plan"),
    path("floor/emergency/plans/<int:plan_id>/edit/", views.plan_edit, name="emergency-plan-edit"),
    path(
        "floor/emergency/plans/<int:plan_id>/drills/",
        views.drill_schedule,
        name="emergency-drill-schedule",
    ),
    path(
        "floor/emergency/activations/<int:activation_id>/",
        views.activation_detail,
        name="emergency-activation",
    ),
    path("floor/emergency/drills/", views.drill_report, name="emergency-drill-report"),
    path("api/floor/emergency/plans/", api.PlanListApi.as_view(), name="api-emergency-plans"),
    path(
        "api/floor/emergency/plans/<int:plan_id>/start/",
        api.ActivationStartApi.as_view(),
        name="api-emergency-start",
    ),
    path(
        "api/floor/emergency/plans/<int:plan_id>/drills/",
        api.DrillScheduleApi.as_view(),
        name="api-emergency-drill-schedule",
    ),
    path(
        "api/floor/emergency/activations/<int:activation_id>/start/",
        api.DrillStartApi.as_view(),
        name="api-emergency-drill-start",
    ),
    path(
        "api/floor/emergency/activations/<int:activation_id>/steps/<int:step_id>/",
        api.StepTickApi.as_view(),
        name="api-emergency-step",
    ),
    path(
        "api/floor/emergency/activations/<int:activation_id>/notes/",
        api.NoteApi.as_view(),
        name="api-emergency-note",
    ),
    path(
        "api/floor/emergency/activations/<int:activation_id>/close/",
        api.CloseApi.as_view(),
        name="api-emergency-close",
    ),
    path(
        "api/floor/emergency/activations/<int:activation_id>/attendance/",
        api.AttendanceApi.as_view(),
        name="api-emergency-attendance",
    ),
]
