"""Handover API: list, file, acknowledge, addenda, and the cases handed over."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Agent
from scheduling import access, selectors, services
from scheduling.api.common import IsLead, IsTeamLead, User, not_found
from scheduling.models import (
    CaseOutcome,
    Handover,
    HandoverAddendum,
    HandoverCase,
    LeftoverCase,
    Severity,
)


class HandoverCaseOutput(serializers.ModelSerializer):
    source_agent = serializers.CharField(
        source="source_agent.display_name", default=None, allow_null=True
    )
    outcome_by = serializers.CharField(source="outcome_by.username", default=None, allow_null=True)
    carried_from = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = HandoverCase
        fields = [
            "id",
            "customer_ref",
            "pending",
            "severity",
            "next_action",
            "owner",
            "source_agent",
            "carried_from",
            "opened_at",
            "promised",
            "due_at",
            "confirmed_at",
            "outcome",
            "outcome_note",
            "outcome_by",
            "outcome_at",
        ]


class HandoverAddendumOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    author_name = serializers.SerializerMethodField()
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, allow_null=True
    )

    class Meta:
        model = HandoverAddendum
        fields = [
            "id",
            "author",
            "author_name",
            "text",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
        ]

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.username


class HandoverOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    to_lead = serializers.CharField(source="to_lead.username")
    supervisor = serializers.CharField(source="supervisor.username")
    cases = HandoverCaseOutput(many=True, read_only=True)
    addenda = HandoverAddendumOutput(many=True, read_only=True)
    locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "author",
            "to_lead",
            "supervisor",
            "team",
            "shift_date",
            "shift_name",
            "summary",
            "incidents",
            "notes",
            "status",
            "locked",
            "created_at",
            "ack_due_at",
            "acknowledged_at",
            "overdue_alerted_at",
            "closed_at",
            "cases",
            "addenda",
        ]


def _handover(request, handover_id: int) -> Handover:
    handover = selectors.handover_visible_to(request.user).filter(pk=handover_id).first()
    if handover is None:
        raise not_found()
    return handover


def _case(request, case_id: int) -> HandoverCase:
    case = get_object_or_404(HandoverCase.objects.select_related("handover"), pk=case_id)
    if not access.can_see_handover(request.user, case.handover):
        raise not_found()
    return case


class HandoverListApi(ListAPIView):
    """Handovers the caller wrote, received or is copied on (supervisors: all); POST sends one."""

    permission_classes = [IsLead]
    serializer_class = HandoverOutput

    def get_queryset(self):
        return selectors.handover_visible_to(self.request.user).prefetch_related(
            "cases__source_agent",
            "cases__outcome_by",
            "addenda__author",
            "addenda__acknowledged_by",
        )

    class LeftoverInput(serializers.Serializer):
        class Meta:
            ref_name = "HandoverLeftoverDecision"

        case = serializers.PrimaryKeyRelatedField(queryset=LeftoverCase.objects.all())
        decision = serializers.ChoiceField(choices=["carry", "reassign", "close"])
        agent = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True, default=None
        )
        note = serializers.CharField(required=False, allow_blank=True, default="")

    class CaseInput(serializers.Serializer):
        class Meta:
            ref_name = "HandoverListCase"

        customer_ref = serializers.CharField(max_length=100)
        pending = serializers.CharField()
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
        next_action = serializers.CharField()
        owner = serializers.CharField(max_length=150)
        source_agent = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True
        )

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverListInput"

        to_lead = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
        supervisor = serializers.SlugRelatedField(
            slug_field="username", queryset=User.objects.all()
        )
        shift_date = serializers.DateField()
        shift_name = serializers.CharField(max_length=60)
        summary = serializers.CharField()
        incidents = serializers.CharField(required=False, allow_blank=True, default="")
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        cases = serializers.ListField(required=False, default=list)
        carry_case_ids = serializers.ListField(
            child=serializers.IntegerField(), required=False, default=list
        )
        leftovers = serializers.ListField(
            required=False,
            default=list,
            help_text=gettext_lazy(
                "decisions on the cases your agents handed over: "
                "{case, decision: carry|reassign|close, agent, note}"
            ),
        )

        def validate_leftovers(self, value):
            rows = HandoverListApi.LeftoverInput(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return rows.validated_data

        def validate_cases(self, value):
            rows = HandoverListApi.CaseInput(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return rows.validated_data

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsTeamLead()]
        return super().get_permissions()

    @extend_schema(request=InputSerializer, responses={201: HandoverOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_create(author=request.user, **data.validated_data)
        return Response(HandoverOutput(handover).data, status=status.HTTP_201_CREATED)


class HandoverDetailApi(APIView):
    """One handover. A sent handover is fixed: there is no PATCH; corrections are addenda."""

    permission_classes = [IsLead]

    @extend_schema(responses=HandoverOutput)
    def get(self, request, handover_id: int):
        return Response(HandoverOutput(_handover(request, handover_id)).data)


class HandoverAcknowledgeApi(APIView):
    """Acknowledge a handover and the addenda sent before it. `addenda` (optional): the ids of
    the addenda the lead has read; a newer one makes the answer 409."""

    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverAcknowledgeInput"

        addenda = serializers.ListField(
            child=serializers.IntegerField(), required=False, allow_null=True, default=None
        )

    @extend_schema(request=InputSerializer, responses=HandoverOutput)
    def post(self, request, handover_id: int):
        handover = _handover(request, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_acknowledge(
            handover=handover, actor=request.user, seen_addenda=data.validated_data["addenda"]
        )
        return Response(HandoverOutput(handover).data)


class HandoverAddendumAcknowledgeApi(APIView):
    """The incoming lead acknowledges an addendum sent after the handover was acknowledged."""

    permission_classes = [IsLead]

    @extend_schema(request=None, responses=HandoverAddendumOutput)
    def post(self, request, addendum_id: int):
        addendum = get_object_or_404(
            HandoverAddendum.objects.select_related("handover", "author"), pk=addendum_id
        )
        if not access.can_see_handover(request.user, addendum.handover):
            raise not_found()
        addendum = services.handover_addendum_acknowledge(addendum=addendum, actor=request.user)
        return Response(HandoverAddendumOutput(addendum).data)


class HandoverAddendumApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverAddendumInput"

        text = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: HandoverAddendumOutput})
    def post(self, request, handover_id: int):
        handover = _handover(request, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        addendum = services.handover_addendum_add(
            handover=handover, actor=request.user, **data.validated_data
        )
        return Response(HandoverAddendumOutput(addendum).data, status=status.HTTP_201_CREATED)


class HandoverCaseConfirmApi(APIView):
    permission_classes = [IsLead]

    @extend_schema(request=None, responses=HandoverCaseOutput)
    def post(self, request, case_id: int):
        case = services.handover_case_confirm(case=_case(request, case_id), actor=request.user)
        return Response(HandoverCaseOutput(case).data)


class HandoverCaseOutcomeApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverCaseOutcomeInput"

        # The service refuses "open"; one enum keeps the schema's names stable.
        outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=HandoverCaseOutput)
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.handover_case_record_outcome(
            case=case, actor=request.user, **data.validated_data
        )
        return Response(HandoverCaseOutput(case).data)


class OpenCaseOutput(HandoverCaseOutput):
    handover = serializers.PrimaryKeyRelatedField(read_only=True)
    age_hours = serializers.SerializerMethodField()

    class Meta(HandoverCaseOutput.Meta):
        fields = [*HandoverCaseOutput.Meta.fields, "handover", "age_hours"]

    def get_age_hours(self, obj) -> float:
        return round(obj.age.total_seconds() / 3600, 1)


class OpenCaseListApi(APIView):
    """Handed-over cases still open or not resolved across shifts, oldest first."""

    permission_classes = [IsLead]

    @extend_schema(responses=OpenCaseOutput(many=True))
    def get(self, request):
        return Response(
            OpenCaseOutput(selectors.open_cases_visible_to(request.user), many=True).data
        )
