"""Calibration API: sessions, scores, close, trends."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from metrics.models import QueueCall
from qa import access, selectors, services
from qa.api.common import IsManager, User, deny, name_input_components
from qa.api.evaluations import AnswerInput
from qa.models import (
    CalibrationSession,
    ScorecardVersion,
)


class CalibrationOutput(serializers.ModelSerializer):
    participants = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    reference_by = serializers.CharField(source="reference_by.username", default=None)

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "title",
            "scorecard_version",
            "call",
            "recording_id",
            "participants",
            "reference_by",
            "status",
            "created_at",
            "closed_at",
        ]


CalibrationPermission = HasRole.of(Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)


class CalibrationListApi(APIView):
    permission_classes = [CalibrationPermission]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=150)
        scorecard_version = serializers.PrimaryKeyRelatedField(
            queryset=ScorecardVersion.objects.all()
        )
        call = serializers.PrimaryKeyRelatedField(
            queryset=QueueCall.objects.all(), required=False, allow_null=True
        )
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")
        participants = serializers.SlugRelatedField(
            slug_field="username", many=True, queryset=User.objects.all()
        )
        reference_by = serializers.SlugRelatedField(
            slug_field="username", required=False, allow_null=True, queryset=User.objects.all()
        )

    @extend_schema(responses=CalibrationOutput(many=True))
    def get(self, request):
        return Response(
            CalibrationOutput(selectors.calibration_sessions_for(request.user), many=True).data
        )

    @extend_schema(request=InputSerializer, responses={201: CalibrationOutput})
    def post(self, request):
        if not access.is_qa_manager(request.user):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.calibration_create(actor=request.user, **data.validated_data)
        return Response(CalibrationOutput(session).data, status=status.HTTP_201_CREATED)


def _session_for(request, session_id: int) -> CalibrationSession:
    return get_object_or_404(selectors.calibration_sessions_for(request.user), pk=session_id)


class CalibrationDetailApi(APIView):
    """A session; the report appears once the caller has scored (blind until then)."""

    permission_classes = [CalibrationPermission]

    @extend_schema(
        responses=inline_serializer(
            "CalibrationReport",
            {
                "session": CalibrationOutput(),
                "report": serializers.DictField(allow_null=True),
                "trends": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request, session_id: int):
        session = _session_for(request, session_id)
        visible = selectors.calibration_can_see_scores(session, request.user)
        return Response(
            {
                "session": CalibrationOutput(session).data,
                "report": selectors.calibration_report(session) if visible else None,
            }
        )


class CalibrationSubmitApi(APIView):
    permission_classes = [CalibrationPermission]

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "CalibrationScored", {"score": serializers.FloatField(allow_null=True)}
            )
        },
    )
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.calibration_submit(
            session=session, evaluator=request.user, answers=data.validated_data["answers"]
        )
        return Response({"score": row.score}, status=status.HTTP_201_CREATED)


class CalibrationCloseApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=None, responses=CalibrationOutput)
    def post(self, request, session_id: int):
        session = services.calibration_close(
            session=_session_for(request, session_id), actor=request.user
        )
        return Response(CalibrationOutput(session).data)


class CalibrationTrendsApi(APIView):
    """Each evaluator's deviation from the reference over sessions, with a drift flag."""

    permission_classes = [IsManager]

    @extend_schema(
        responses=inline_serializer(
            "Trend",
            {
                "evaluator": serializers.CharField(),
                "deviations": serializers.ListField(),
                "drifting": serializers.BooleanField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(selectors.evaluator_trends())


name_input_components(globals())
