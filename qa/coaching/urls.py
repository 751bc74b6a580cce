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
    path("api/qa/coaching/", api.CoachingListApi.as_view(), name="api-qa-coaching-list"),
    path(
        "api/qa/coaching/<int:session_id>/",
        api.CoachingDetailApi.as_view(),
        name="api-qa-coaching-detail",
    ),
    path(
        "api/qa/coaching/<int:session_id>/acknowledge/",
        api.CoachingAcknowledgeApi.as_view(),
        name="api-qa-coaching-acknowledge",
    ),
    path(
        "api/qa/coaching/<int:session_id>/follow-up/",
        api.CoachingFollowUpApi.as_view(),
        name="api-qa-coaching-follow-up",
    ),
]
