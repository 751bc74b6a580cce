"""Coaching API: sessions, the agent's acknowledgement, the coach's follow-up."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Agent
from qa.api.common import deny, name_input_components, not_found
from qa.coaching import access, selectors, services
from qa.models import (
    ActionOutcome,
    Appeal,
    CalibrationSession,
    CoachingAction,
    CoachingSession,
    Criterion,
    Evaluation,
)


class CoachingActionOutput(serializers.ModelSerializer):
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        model = CoachingAction
        fields = ["id", "text", "due_on", "outcome", "outcome_note", "outcome_at", "overdue"]


class CoachingOutput(serializers.ModelSerializer):
    coach = serializers.CharField(source="coach.username")
    actions = CoachingActionOutput(many=True)

    class Meta:
        model = CoachingSession
        fields = [
            "id",
            "coach",
            "agent",
            "topic",
            "notes",
            "held_at",
            "source",
            "evaluation",
            "appeal",
            "calibration",
            "criteria",
            "status",
            "acknowledged_at",
            "agent_comment",
            "followed_up_at",
            "actions",
        ]


def _session_for(request, session_id: int) -> CoachingSession:
    session = get_object_or_404(
        CoachingSession.objects.select_related("agent__team"), pk=session_id
    )
    if not access.can_view_session(request.user, session):
        raise not_found()
    return session


class ActionInput(serializers.Serializer):
    text = serializers.CharField(max_length=300)
    due_on = serializers.DateField()


class CoachingListApi(APIView):
    """The coaching sessions the caller may see; a coach holds a new one with POST."""

    class InputSerializer(serializers.Serializer):
        topic = serializers.CharField(max_length=200)
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        agent = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True, default=None
        )
        evaluation = serializers.PrimaryKeyRelatedField(
            queryset=Evaluation.objects.all(), required=False, allow_null=True, default=None
        )
        appeal = serializers.PrimaryKeyRelatedField(
            queryset=Appeal.objects.all(), required=False, allow_null=True, default=None
        )
        calibration = serializers.PrimaryKeyRelatedField(
            queryset=CalibrationSession.objects.all(),
            required=False,
            allow_null=True,
            default=None,
        )
        criteria = serializers.PrimaryKeyRelatedField(
            queryset=Criterion.objects.select_related("section"), many=True, required=False
        )
        actions = ActionInput(many=True)

    @extend_schema(responses=CoachingOutput(many=True))
    def get(self, request):
        sessions = selectors.sessions_visible_to(request.user).prefetch_related(
            "actions", "criteria"
        )
        return Response(CoachingOutput(sessions[:200], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CoachingOutput})
    def post(self, request):
        if not access.is_coach(request.user):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.coaching_create(coach=request.user, **data.validated_data)
        return Response(CoachingOutput(session).data, status=status.HTTP_201_CREATED)


class CoachingDetailApi(APIView):
    @extend_schema(responses=CoachingOutput)
    def get(self, request, session_id: int):
        return Response(CoachingOutput(_session_for(request, session_id)).data)


class CoachingAcknowledgeApi(APIView):
    """The coached agent acknowledges the session and its agreed actions."""

    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=CoachingOutput)
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.coaching_acknowledge(
            session=session, actor=request.user, **data.validated_data
        )
        return Response(CoachingOutput(session).data)


class OutcomeInput(serializers.Serializer):
    action = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=[ActionOutcome.DONE, ActionOutcome.NOT_DONE])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CoachingFollowUpApi(APIView):
    """The coach records each agreed action's outcome (done / not done, with a note)."""

    class InputSerializer(serializers.Serializer):
        outcomes = OutcomeInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=CoachingOutput)
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes = {o["action"]: o for o in data.validated_data["outcomes"]}
        session = services.coaching_follow_up(
            session=session, actor=request.user, outcomes=outcomes
        )
        return Response(CoachingOutput(session).data)


name_input_components(globals())
