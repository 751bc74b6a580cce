"""API of the phone-system controls: thin views over `metrics.control.services`.

Each answers 403 to a person who may not act on the agent, 409 with the reason when the agent's
source takes no commands (queue_log, JSON events) and 502 with Asterisk's message when Asterisk
refuses the action.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.models import Agent
from metrics.control import services
from metrics.control.access import CONTROL_ROLES
from metrics.control.models import Monitoring, MonitorMode
from metrics.models import Queue

CanControl = HasRole.of(*CONTROL_ROLES)


class DoneOutput(serializers.Serializer):
    agent = serializers.IntegerField()


class AgentMonitorApi(APIView):
    """Ring your phone and connect it to the agent's call: listen, whisper (coach) or barge."""

    permission_classes = [CanControl]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentMonitorInput"

        mode = serializers.ChoiceField(choices=MonitorMode.choices)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MonitoringOutput"

        id = serializers.IntegerField()
        mode = serializers.CharField()
        channel = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, agent_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = get_object_or_404(Agent, pk=agent_id)
        monitoring = services.monitoring_start(
            actor=request.user, agent=agent, mode=data.validated_data["mode"]
        )
        return Response(
            {"id": monitoring.pk, "mode": monitoring.mode, "channel": monitoring.channel},
            status=status.HTTP_201_CREATED,
        )


class MonitoringStopApi(APIView):
    """Hang up your listening leg."""

    permission_classes = [CanControl]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MonitoringStopOutput"

        id = serializers.IntegerField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, monitoring_id: int):
        monitoring = get_object_or_404(
            Monitoring.objects.select_related("agent", "source"), pk=monitoring_id
        )
        services.monitoring_stop(actor=request.user, monitoring=monitoring)
        return Response({"id": monitoring.pk})


class AgentPauseApi(APIView):
    """Pause the agent in every queue, with a reason."""

    permission_classes = [CanControl]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentPauseInput"

        reason = serializers.CharField(max_length=80)

    @extend_schema(request=InputSerializer, responses=DoneOutput)
    def post(self, request, agent_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = get_object_or_404(Agent, pk=agent_id)
        services.member_pause(actor=request.user, agent=agent, reason=data.validated_data["reason"])
        return Response({"agent": agent.pk})


class AgentUnpauseApi(APIView):
    permission_classes = [CanControl]

    @extend_schema(request=None, responses=DoneOutput)
    def post(self, request, agent_id: int):
        agent = get_object_or_404(Agent, pk=agent_id)
        services.member_unpause(actor=request.user, agent=agent)
        return Response({"agent": agent.pk})


class AgentLogOutApi(APIView):
    """Take the agent out of every queue they are in."""

    permission_classes = [CanControl]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentLogOutOutput"

        agent = serializers.IntegerField()
        queues = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, agent_id: int):
        agent = get_object_or_404(Agent, pk=agent_id)
        queues = services.member_log_out(actor=request.user, agent=agent)
        return Response({"agent": agent.pk, "queues": queues})


class AgentsMoveApi(APIView):
    """Move one agent or a chosen group into a queue (with a penalty), out of another if named.

    Every agent is checked before anything is sent (one refused: nothing is sent); then each
    agent gets its own result."""

    permission_classes = [CanControl]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentsMoveInput"

        agents = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), many=True, allow_empty=False
        )
        to_queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.all())
        from_queue = serializers.PrimaryKeyRelatedField(
            queryset=Queue.objects.all(), required=False, allow_null=True
        )
        penalty = serializers.IntegerField(min_value=0, max_value=1000, default=0)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentsMoveOutput"

        class ResultSerializer(serializers.Serializer):
            class Meta:
                ref_name = "AgentMoveResult"

            agent = serializers.IntegerField()
            ok = serializers.BooleanField()
            message = serializers.CharField()

        results = ResultSerializer(many=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.members_move(actor=request.user, **data.validated_data)
        return Response(
            {"results": [{"agent": r.agent.pk, "ok": r.ok, "message": r.message} for r in results]}
        )
