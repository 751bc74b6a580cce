from django.urls import path

from metrics.control import api

urlpatterns = [
    path(
        "api/floor/agents/<int:agent_id>/monitor/",
        api.AgentMonitorApi.as_view(),
        name="api-floor-agent-monitor",
    ),
    path(
        "api/floor/monitorings/<int:monitoring_id>/stop/",
        api.MonitoringStopApi.as_view(),
        name="api-floor-monitoring-stop",
    ),
    path(
        "api/floor/agents/<int:agent_id>/pause/",
        api.AgentPauseApi.as_view(),
        name="api-floor-agent-pause",
    ),
    path(
        "api/floor/agents/<int:agent_id>/unpause/",
        api.AgentUnpauseApi.as_view(),
        name="api-floor-agent-unpause",
    ),
    path(
        "api/floor/agents/<int:agent_id>/log-out/",
        api.AgentLogOutApi.as_view(),
        name="api-floor-agent-log-out",
    ),
    path("api/floor/agents/move/", api.AgentsMoveApi.as_view(), name="api-floor-agents-move"),
]
