"""Leave API: list, decide, cancel."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from callfloor.query import day_field, id_field
from scheduling import access, selectors, services
from scheduling.api.common import IsLead, not_found, own_agent
from scheduling.models import (
    LeaveRequest,
    LeaveStatus,
)


class LeaveOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "agent",
            "agent_name",
            "first_day",
            "last_day",
            "kind",
            "reason",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class LeaveListApi(ListAPIView):
    """Leave requests the caller may see; an agent asks for leave with POST."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = LeaveOutput

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveListFilter"

        team = id_field(required=False, help_text="only this team's requests")
        status = serializers.ChoiceField(choices=LeaveStatus.choices, required=False)
        since = day_field(required=False, help_text="requests with a day on or after this")
        until = day_field(required=False, help_text="requests with a day on or before this")

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["until"] < attrs["since"]:
                raise serializers.ValidationError(
                    {"until": [_("The last day is before the first.")]}
                )
            return attrs

    @extend_schema(parameters=[FilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.FilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        qs = selectors.leave_visible_to(self.request.user)
        if wanted.get("team"):
            qs = qs.filter(agent__team_id=wanted["team"])
        if wanted.get("status"):
            qs = qs.filter(status=wanted["status"])
        if wanted.get("since"):
            qs = qs.filter(last_day__gte=wanted["since"])
        if wanted.get("until"):
            qs = qs.filter(first_day__lte=wanted["until"])
        return qs

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveListInput"

        first_day = serializers.DateField()
        last_day = serializers.DateField()
        kind = serializers.CharField(max_length=40, default="annual")
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: LeaveOutput})
    def post(self, request):
        agent = own_agent(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_request(agent=agent, **data.validated_data)
        return Response(LeaveOutput(leave).data, status=status.HTTP_201_CREATED)


def _leave(request, leave_id: int) -> LeaveRequest:
    leave = selectors.leave_visible_to(request.user).filter(pk=leave_id).first()
    if leave is None:
        raise not_found()
    return leave


class LeaveDecideApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveDecideInput"

        decision = serializers.ChoiceField(choices=["approve", "refuse"])
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=LeaveOutput)
    def post(self, request, leave_id: int):
        leave = _leave(request, leave_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_decide(
            leave=leave,
            actor=request.user,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
        )
        return Response(LeaveOutput(leave).data)


class LeaveCancelApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT)]

    @extend_schema(request=None, responses=LeaveOutput)
    def post(self, request, leave_id: int):
        leave = services.leave_cancel(leave=_leave(request, leave_id), agent=own_agent(request))
        return Response(LeaveOutput(leave).data)
