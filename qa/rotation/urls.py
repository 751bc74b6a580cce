from django.urls import path

from qa.rotation import api, views

urlpatterns = [
    path("qa/rotation/", views.rotation_plan, name="qa-rotation"),
    path("qa/peer-reviews/<int:review_id>/", views.peer_review, name="qa-peer-review"),
    path("api/qa/rotation/", api.RotationListApi.as_view(), name="api-qa-rotation-list"),
    path(
        "api/qa/rotation/round-robin/",
        api.RotationRoundRobinApi.as_view(),
        name="api-qa-rotation-round-robin",
    ),
    path(
        "api/qa/rotation/<int:week_id>/reviews/",
        api.RotationAssignApi.as_view(),
        name="api-qa-rotation-assign",
    ),
    path(
        "api/qa/peer-reviews/<int:review_id>/",
        api.PeerReviewDetailApi.as_view(),
        name="api-qa-peer-review-detail",
    ),
    path(
        "api/qa/peer-reviews/<int:review_id>/submit/",
        api.PeerReviewSubmitApi.as_view(),
        name="api-qa-peer-review-submit",
    ),
]
