from django.urls import path

from agents import api, views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("profile/", views.profile, name="profile"),
    path("api/me/", api.MeApi.as_view(), name="api-me"),
    path("api/teams/", api.TeamListApi.as_view(), name="api-team-list"),
    path("api/teams/<int:team_id>/", api.TeamDetailApi.as_view(), name="api-team-detail"),
    path("api/agents/", api.AgentListApi.as_view(), name="api-agent-list"),
    path("api/agents/<int:agent_id>/", api.AgentDetailApi.as_view(), name="api-agent-detail"),
    path("api/notifications/", api.NotificationListApi.as_view(), name="api-notification-list"),
    path(
        "api/notifications/read/", api.NotificationReadApi.as_view(), name="api-notification-read"
    ),
]
