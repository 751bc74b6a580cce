from django.urls import path

from scheduling.training import api, views

urlpatterns = [
    path("training/", views.training, name="training"),
    path("training/new/", views.training_new, name="training-new"),
    path("training/<int:course_id>/", views.training_course, name="training-course"),
    path(
        "training/<int:course_id>/sessions/",
        views.training_session_add,
        name="training-session-add",
    ),
    path(
        "training/<int:course_id>/materials/",
        views.training_material_add,
        name="training-material-add",
    ),
    path("training/<int:course_id>/invite/", views.training_invite, name="training-invite"),
    path("training/<int:course_id>/assign/", views.training_assign, name="training-assign"),
    path(
        "training/sessions/<int:session_id>/check-in/",
        views.training_check_in,
        name="training-check-in",
    ),
    path(
        "training/sessions/<int:session_id>/attendance/",
        views.training_attendance,
        name="training-attendance",
    ),
    path("api/training/courses/", api.CourseListApi.as_view(), name="api-training-course-list"),
    path(
        "api/training/courses/<int:course_id>/",
        api.CourseDetailApi.as_view(),
        name="api-training-course-detail",
    ),
    path(
        "api/training/courses/<int:course_id>/sessions/",
        api.SessionAddApi.as_view(),
        name="api-training-session-add",
    ),
    path(
        "api/training/courses/<int:course_id>/materials/",
        api.MaterialAddApi.as_view(),
        name="api-training-material-add",
    ),
    path(
        "api/training/courses/<int:course_id>/invite/",
        api.InviteApi.as_view(),
        name="api-training-invite",
    ),
    path(
        "api/training/courses/<int:course_id>/assign/",
        api.AssignApi.as_view(),
        name="api-training-assign",
    ),
    path(
        "api/training/sessions/<int:session_id>/check-in/",
        api.CheckInApi.as_view(),
        name="api-training-check-in",
    ),
    path(
        "api/training/sessions/<int:session_id>/attendance/",
        api.AttendanceMarkApi.as_view(),
        name="api-training-attendance",
    ),
]
