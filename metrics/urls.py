from django.urls import path

from metrics import floor_api, views
from metrics.telephony import api

urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("floor/me/", views.my_floor, name="floor-me"),
    path("api/telephony/events", api.TelephonyEventsApi.as_view(), name="api-telephony-events"),
    path(
        "api/telephony/unmapped-members/",
        api.UnmappedMembersApi.as_view(),
        name="api-telephony-unmapped-members",
    ),
    path("api/floor/snapshot/", floor_api.FloorSnapshotApi.as_view(), name="api-floor-snapshot"),
    path(
        "api/floor/broadcasts/", floor_api.BroadcastCreateApi.as_view(), name="api-floor-broadcasts"
    ),
    path(
        "api/floor/broadcasts/<int:broadcast_id>/withdraw/",
        floor_api.BroadcastWithdrawApi.as_view(),
        name="api-floor-broadcast-withdraw",
    ),
    path(
        "api/floor/help-requests/",
        floor_api.HelpRequestCreateApi.as_view(),
        name="api-floor-help-requests",
    ),
    path(
        "api/floor/help-requests/<int:request_id>/take/",
        floor_api.HelpRequestTakeApi.as_view(),
        name="api-floor-help-request-take",
    ),
    path(
        "api/floor/help-requests/<int:request_id>/cancel/",
        floor_api.HelpRequestCancelApi.as_view(),
        name="api-floor-help-request-cancel",
    ),
    path("api/floor/takeovers/", floor_api.TakeoverCreateApi.as_view(), name="api-floor-takeovers"),
    path(
        "api/floor/takeovers/<int:takeover_id>/finish/",
        floor_api.TakeoverFinishApi.as_view(),
        name="api-floor-takeover-finish",
    ),
    path("api/floor/alerts/ack/", floor_api.AlertAckApi.as_view(), name="api-floor-alert-ack"),
]
