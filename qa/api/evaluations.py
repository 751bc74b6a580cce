"""Evaluation API: list, detail, release, acknowledge, revise."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import has_role
from agents.models import Agent
from agents.roles import Role
from callfloor.query import id_field
from metrics.models import QueueCall
from qa import access, selectors, services
from qa.api.common import deny, name_input_components, not_found
from qa.models import (
    Evaluation,
    SampledCall,
    ScorecardVersion,
    ScoreRevision,
)
from qa.moments.selectors import evaluation_moments


class RevisionOutput(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ScoreRevision
        fields = [
            "number",
            "score",
            "reason",
            "appeal",
            "answers",
            "result",
            "created_by",
            "created_at",
            "acknowledged_at",
        ]

    def get_created_by(self, obj) -> str | None:
        # Who revised is named to those who may see who evaluated, and hidden from peers alike.
        shown = self.context.get("shows_evaluator")
        if shown is None:
            request = self.context.get("request")
            shown = request is not None and access.shows_evaluator(request.user, obj.evaluation)
        return obj.created_by.get_username() if shown else None


class EvaluationOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    scorecard = serializers.CharField(source="scorecard_version.__str__")
    evaluator = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    appeal_deadline = serializers.SerializerMethodField()
    moments = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "agent",
            "agent_name",
            "scorecard_version",
            "scorecard",
            "call",
            "recording_id",
            "pick",
            "evaluator",
            "status",
            "score",
            "answers",
            "created_at",
            "released_at",
            "first_read_at",
            "appeal_deadline",
            "revisions",
            "moments",
        ]

    def get_evaluator(self, obj) -> str | None:
        user = self.context["request"].user
        return obj.evaluator.get_username() if access.shows_evaluator(user, obj) else None

    def get_revisions(self, obj) -> list[dict]:
        shown = access.shows_evaluator(self.context["request"].user, obj)
        return RevisionOutput(
            obj.revisions.select_related("created_by"),
            many=True,
            context={**self.context, "shows_evaluator": shown},
        ).data

    def get_moments(self, obj) -> list[dict]:
        return evaluation_moments(user=self.context["request"].user, evaluation=obj)

    def get_appeal_deadline(self, obj) -> datetime | None:
        return services.appeal_deadline(obj) if obj.released_at else None


def evaluation_for(request, evaluation_id: int) -> Evaluation:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("agent__user", "evaluator"), pk=evaluation_id
    )
    if not access.can_view_evaluation(request.user, evaluation):
        raise not_found()
    return evaluation


class AnswerInput(serializers.Serializer):
    points = serializers.IntegerField(min_value=0, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationListApi(APIView):
    """Evaluations the caller may see; a QA analyst starts one with POST."""

    class InputSerializer(serializers.Serializer):
        pick = serializers.PrimaryKeyRelatedField(
            queryset=SampledCall.objects.all(), required=False
        )
        scorecard_version = serializers.PrimaryKeyRelatedField(
            queryset=ScorecardVersion.objects.all(), required=False
        )
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
        call = serializers.PrimaryKeyRelatedField(queryset=QueueCall.objects.all(), required=False)
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EvaluationListFilter"

        agent = id_field(required=False, help_text="one agent's evaluations")

    @extend_schema(parameters=[FilterSerializer], responses=EvaluationOutput(many=True))
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.evaluations_visible_to(request.user)
        if "agent" in query.validated_data:
            qs = qs.filter(agent_id=query.validated_data["agent"])
        return Response(EvaluationOutput(qs[:200], many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: EvaluationOutput})
    def post(self, request):
        if not has_role(request.user, Role.QA_ANALYST):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.evaluation_create(evaluator=request.user, **data.validated_data)
        return Response(
            EvaluationOutput(evaluation, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class EvaluationDetailApi(APIView):
    """One evaluation; its evaluator saves draft answers with PATCH."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())

    @extend_schema(responses=EvaluationOutput)
    def get(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        services.evaluation_mark_read(evaluation=evaluation, user=request.user)
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=EvaluationOutput)
    def patch(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        if not access.can_edit_evaluation(request.user, evaluation):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.evaluation_set_answers(
            evaluation=evaluation, actor=request.user, answers=data.validated_data["answers"]
        )
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)


class EvaluationReleaseApi(APIView):
    @extend_schema(request=None, responses=EvaluationOutput)
    def post(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        if evaluation.evaluator_id != request.user.pk:
            raise deny()
        evaluation = services.evaluation_release(evaluation=evaluation, actor=request.user)
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)


class EvaluationAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=RevisionOutput)
    def post(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        if not access.owns_evaluation(request.user, evaluation):
            raise deny()
        revision = services.evaluation_acknowledge(evaluation=evaluation, user=request.user)
        return Response(RevisionOutput(revision, context={"request": request}).data)


class EvaluationReviseApi(APIView):
    """A new score revision (QA analysts and supervisors), with the reason."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())
        reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: RevisionOutput})
    def post(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        if not access.can_revise_evaluation(request.user, evaluation):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.evaluation_revise(
            evaluation=evaluation,
            actor=request.user,
            changes=data.validated_data["answers"],
            reason=data.validated_data["reason"],
        )
        return Response(
            RevisionOutput(revision, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


name_input_components(globals())
