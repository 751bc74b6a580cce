"""Moments API: an evaluation's pinned moments (list, pin, unpin).

The moments an agent cites travel with the appeal (`AppealItemInput.moments`, and each item of
`AppealOutput`); the nominator's highlight with the great call (`LibraryApi`).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.api.common import name_input_components
from qa.api.evaluations import evaluation_for
from qa.moments import selectors, services
from qa.moments.serializers import MomentInput, MomentOutput


class EvaluationMomentsApi(APIView):
    """The evaluator's moments of an evaluation; POST pins one (a comment, or a deduction
    when it names a criterion) while the evaluation is a draft."""

    class InputSerializer(MomentInput):
        criterion = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(responses=MomentOutput(many=True))
    def get(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        return Response(selectors.evaluation_moments(user=request.user, evaluation=evaluation))

    @extend_schema(request=InputSerializer, responses={201: MomentOutput})
    def post(self, request, evaluation_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moment = services.moment_pin(
            evaluation=evaluation,
            actor=request.user,
            at_ms=data.validated_data["at_ms"],
            note=data.validated_data["note"],
            criterion_id=data.validated_data["criterion"],
        )
        return Response(
            selectors.moment_row(moment, author=request.user.get_username()),
            status=status.HTTP_201_CREATED,
        )


class EvaluationMomentDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, evaluation_id: int, moment_id: int):
        evaluation = evaluation_for(request, evaluation_id)
        moment = get_object_or_404(evaluation.moments, pk=moment_id)
        services.moment_unpin(moment=moment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


name_input_components(globals())
