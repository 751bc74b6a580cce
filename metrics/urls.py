from django.urls import include, path

from metrics.board import api as board_api
from metrics.board import display_views, settings_api, views
from metrics.telephony import api as telephony_api

urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("floor/me/", views.my_floor, name="floor-me"),
    path("floor/displays/", display_views.display_list, name="displays"),
    path(
        "floor/displays/<int:display_id>/revoke/",
        display_views.display_revoke,
        name="display-revoke",
    ),
    path("display/<str:token>/", display_views.display_board, name="display-board"),
    path(
        "api/telephony/events",
        telephony_api.TelephonyEventsApi.as_view(),
        name="api-telephony-events",
    ),
    path(
        "api/telephony/unmapped-members/",
        telephony_api.UnmappedMembersApi.as_view(),
        name="api-telephony-unmapped-members",
    ),
    path("api/floor/snapshot/", board_api.FloorSnapshotApi.as_view(), name="api-floor-snapshot"),
    path(
        "api/floor/broadcasts/", board_api.BroadcastCreateApi.as_view(), name="api-floor-broadcasts"
    ),
    path(
        "api/floor/broadcasts/<int:broadcast_id>/withdraw/",
        board_api.BroadcastWithdrawApi.as_view(),
        name="api-floor-broadcast-withdraw",
    ),
    path(
        "api/floor/help-requests/",
        board_api.HelpRequestCreateApi.as_view(),
        name="api-floor-help-requests",
    ),
    path(
        "api/floor/help-requests/<int:request_id>/take/",
        board_api.HelpRequestTakeApi.as_view(),
        name="api-floor-help-request-take",
    ),
    path(
        "api/floor/help-requests/<int:request_id>/cancel/",
        board_api.HelpRequestCancelApi.as_view(),
        name="api-floor-help-request-cancel",
    ),
    path("api/floor/takeovers/", board_api.TakeoverCreateApi.as_view(), name="api-floor-takeovers"),
    path(
        "api/floor/takeovers/<int:takeover_id>/finish/",
        board_api.TakeoverFinishApi.as_view(),
        name="api-floor-takeover-finish",
    ),
    path("api/floor/alerts/ack/", board_api.AlertAckApi.as_view(), name="api-floor-alert-ack"),
    path("api/floor/settings/", settings_api.BoardSettingsApi.as_view(), name="api-floor-settings"),
    path(
        "api/floor/settings/site/",
        settings_api.SiteSettingsApi.as_view(),
        name="api-floor-settings-site",
    ),
    path(
        "api/floor/settings/queues/<int:queue_id>/",
        settings_api.QueueSettingsApi.as_view(),
        name="api-floor-settings-queue",
    ),
    path("", include("metrics.emergency.urls")),
]
