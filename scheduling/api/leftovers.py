"""Leftover-case API: agents hand unfinished cases to their team lead, who reassigns or
closes them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from scheduling import access, selectors, services
from scheduling.api.common import IsLead, not_found
from scheduling.models import (
    LeftoverCase,
    Severity,
)


class LeftoverCaseOutput(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.display_name")
    team = serializers.CharField(source="team.name", default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    reassigned_to = serializers.CharField(
        source="reassigned_to.display_name", default=None, allow_null=True
    )
    handover = serializers.IntegerField(
        source="handover_case.handover_id", default=None, allow_null=True
    )

    class Meta:
        model = LeftoverCase
        fields = [
            "id",
            "agent",
            "team",
            "customer_ref",
            "pending",
            "promised",
            "due_at",
            "severity",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "reassigned_to",
            "handover",
        ]


def _leftover(request, case_id: int) -> LeftoverCase:
    case = selectors.leftover_cases_visible_to(request.user).filter(pk=case_id).first()
    if case is None:
        raise not_found()
    return case


class LeftoverCaseListApi(ListAPIView):
    """Leftover cases the caller may see (own / their team's / all); an agent POSTs their own."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = LeftoverCaseOutput

    def get_queryset(self):
        return selectors.leftover_cases_visible_to(self.request.user)

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseInput"

        customer_ref = serializers.CharField(max_length=100)
        pending = serializers.CharField()
        promised = serializers.CharField()
        due_at = serializers.DateTimeField()
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole.of(Role.AGENT)()]
        return super().get_permissions()

    @extend_schema(request=InputSerializer, responses={201: LeftoverCaseOutput})
    def post(self, request):
        agent = agent_of(request.user)
        if agent is None:
            raise DomainError(
                _("Only an agent hands over their cases."),
                status_code=403,
                code="permission_denied",
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_submit(agent=agent, **data.validated_data)
        return Response(LeftoverCaseOutput(case).data, status=status.HTTP_201_CREATED)


class LeftoverCaseDetailApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]

    @extend_schema(responses=LeftoverCaseOutput)
    def get(self, request, case_id: int):
        return Response(LeftoverCaseOutput(_leftover(request, case_id)).data)


class LeftoverCaseReassignApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseReassignInput"

        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=LeftoverCaseOutput)
    def post(self, request, case_id: int):
        case = _leftover(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_reassign(
            case=case,
            actor=request.user,
            to_agent=data.validated_data["agent"],
            note=data.validated_data["note"],
        )
        return Response(LeftoverCaseOutput(case).data)


class LeftoverCaseCloseApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseCloseInput"

        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=LeftoverCaseOutput)
    def post(self, request, case_id: int):
        case = _leftover(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_close(
            case=case, actor=request.user, note=data.validated_data["note"]
        )
        return Response(LeftoverCaseOutput(case).data)
