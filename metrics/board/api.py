"""API of the wall board: the floor as the caller may see it, and the floor actions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of
from agents.models import Agent
from agents.roles import Role
from metrics.board import actions, push
from metrics.board.delta import filter_snapshot
from metrics.board.snapshot import default_site, viewer_for
from metrics.control import services as control
from metrics.control.models import MonitorMode
from metrics.models import (
    Broadcast,
    BroadcastPriority,
    HelpReason,
    HelpRequest,
    Takeover,
)

IsFloorManager = HasRole.of(Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)
IsSupervisor = HasRole.of(Role.SUPERVISOR, Role.ADMIN)
# Taking over a call is floor work: supervisors and team leads, as for live escalations;
# an administrator sets the floor up and watches it but takes no calls over.
CanTakeOver = HasRole.of(*actions.TAKEOVER_ROLES)
IsAgent = HasRole.of(Role.AGENT)


def _acting_on(user, agent: Agent) -> Agent:
    """A team lead acts on their own team's agents only (others are not found for them)."""
    if not actions.can_act_on_agent(user, agent):
        raise PermissionDenied(_("You may act on your own team's agents only."))
    return agent


class FloorSnapshotApi(APIView):
    """The floor as the caller may see it, with its sequence number (what the socket sends)."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FloorSnapshot"

        seq = serializers.IntegerField()
        snapshot = serializers.DictField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        viewer = viewer_for(request.user)
        if viewer is None:
            raise PermissionDenied(_("The floor is for supervisors, team leads and agents."))
        current = push.floor_current(site=default_site())
        return Response(
            {
                "seq": current["seq"],
                "snapshot": filter_snapshot(current["snapshot"], viewer),
            }
        )


class IdOutput(serializers.Serializer):
    id = serializers.IntegerField()


class BroadcastCreateApi(APIView):
    """A supervisor broadcasts a message to the floor (normal or urgent, optional expiry)."""

    permission_classes = [IsSupervisor]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BroadcastInput"

        text = serializers.CharField(max_length=500)
        priority = serializers.ChoiceField(
            choices=BroadcastPriority.choices, default=BroadcastPriority.NORMAL
        )
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        broadcast = actions.broadcast_send(actor=request.user, **data.validated_data)
        return Response({"id": broadcast.pk}, status=status.HTTP_201_CREATED)


class BroadcastWithdrawApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(request=None, responses=IdOutput)
    def post(self, request, broadcast_id: int):
        broadcast = get_object_or_404(Broadcast, pk=broadcast_id)
        actions.broadcast_withdraw(actor=request.user, broadcast=broadcast)
        return Response({"id": broadcast.pk})


class HelpRequestCreateApi(APIView):
    """An agent asks the floor for help; it shows on the supervisors' boards until taken."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HelpRequestInput"

        reason = serializers.ChoiceField(choices=HelpReason.choices)
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        help_request = actions.help_request_create(user=request.user, **data.validated_data)
        return Response({"id": help_request.pk}, status=status.HTTP_201_CREATED)


class HelpRequestTakeApi(APIView):
    permission_classes = [IsFloorManager]

    @extend_schema(request=None, responses=IdOutput)
    def post(self, request, request_id: int):
        help_request = get_object_or_404(HelpRequest.objects.select_related("agent"), pk=request_id)
        _acting_on(request.user, help_request.agent)
        actions.help_request_take(actor=request.user, request=help_request)
        return Response({"id": help_request.pk})


class HelpRequestCancelApi(APIView):
    """The agent who asked withdraws their request."""

    permission_classes = [IsAgent]

    @extend_schema(request=None, responses=IdOutput)
    def post(self, request, request_id: int):
        own = agent_of(request.user)
        help_request = get_object_or_404(HelpRequest, pk=request_id, agent=own)
        actions.help_request_cancel(user=request.user, request=help_request)
        return Response({"id": help_request.pk})


class TakeoverCreateApi(APIView):
    """Take over an agent's call (their current one unless `call_id` is given).

    On a source that takes commands (AMI) the PBX rings your phone and barges you into the
    call (`mode`: "barge", or "listen" to listen first and barge from the board); elsewhere the
    takeover is recorded only."""

    permission_classes = [CanTakeOver]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TakeoverInput"

        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        call_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)
        help_request = serializers.PrimaryKeyRelatedField(
            queryset=HelpRequest.objects.all(), required=False, allow_null=True
        )
        mode = serializers.ChoiceField(
            choices=[MonitorMode.BARGE, MonitorMode.LISTEN], default=MonitorMode.BARGE
        )

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _acting_on(request.user, data.validated_data["agent"])
        takeover = control.takeover_start_on_pbx(actor=request.user, **data.validated_data)
        return Response({"id": takeover.pk}, status=status.HTTP_201_CREATED)


class TakeoverFinishApi(APIView):
    permission_classes = [CanTakeOver]

    @extend_schema(request=None, responses=IdOutput)
    def post(self, request, takeover_id: int):
        takeover = get_object_or_404(Takeover.objects.select_related("agent"), pk=takeover_id)
        _acting_on(request.user, takeover.agent)
        control.takeover_finish_on_pbx(actor=request.user, takeover=takeover)
        return Response({"id": takeover.pk})


class AlertAckApi(APIView):
    """Acknowledge an alert of the board; every board shows who did."""

    permission_classes = [IsFloorManager]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AlertAckInput"

        key = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ack = actions.alert_acknowledge(actor=request.user, key=data.validated_data["key"])
        return Response({"id": ack.pk}, status=status.HTTP_201_CREATED)
