from django.urls import path

from qa.coaching import api, views

urlpatterns = [
    path("qa/coaching/", views.coaching_list, name="qa-coaching"),
    path("qa/coaching/new/", views.coaching_new, name="qa-coaching-new"),
    path("qa/coaching/<int:session_id>/", views.coaching_session, name="qa-coaching-session"),
    path(
        "qa/coaching/<int:session_id>/acknowledge/",
        views.coaching_acknowledge,
        name="qa-coaching-acknowledge",
    ),
    path(
        "qa/coaching/<int:session_id>/follow-up/",
        views.coaching_follow_up,
        name="qa-coaching-follow-up",
    ),
    path("api/coaching/", api.CoachingListApi.as_view(), name="api-coaching-list"),
    path(
        "api/coaching/<int:session_id>/",
        api.CoachingDetailApi.as_view(),
        name="api-coaching-detail",
    ),
    path(
        "api/coaching/<int:session_id>/acknowledge/",
        api.CoachingAcknowledgeApi.as_view(),
        name="api-coaching-acknowledge",
    ),
    path(
        "api/coaching/<int:session_id>/follow-up/",
        api.CoachingFollowUpApi.as_view(),
        name="api-coaching-follow-up",
    ),
]
