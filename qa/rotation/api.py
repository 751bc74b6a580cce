"""Reviewer rotation API: the plan, round robin, assigning calls, peer reviews."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.models import Agent, Team
from agents.roles import Role
from qa.api.common import name_input_components
from qa.models import Evaluation
from qa.rotation import access, selectors, services
from qa.rotation.models import PEER_RATING_MAX, PeerReview, RotationWeek

IsPlanner = HasRole.of(*access.PLANNERS)
HasAnyRole = HasRole.of(*Role.values)


class PeerReviewOutput(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="week.reviewer.display_name")
    reviewed_name = serializers.CharField(source="reviewed.display_name")
    recording_id = serializers.CharField(source="evaluation.recording_id")

    class Meta:
        model = PeerReview
        fields = [
            "id",
            "week",
            "evaluation",
            "recording_id",
            "reviewer",
            "reviewed",
            "reviewed_name",
            "status",
            "ratings",
            "comment",
            "submitted_at",
        ]


class RotationWeekOutput(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.display_name")
    reviews = PeerReviewOutput(many=True)

    class Meta:
        model = RotationWeek
        fields = ["id", "reviewer", "reviewer_name", "team", "week_start", "method", "reviews"]


class RotationListApi(APIView):
    """GET: the rotation weeks the user may read. POST: choose a reviewer for a week."""

    class InputSerializer(serializers.Serializer):
        reviewer = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        week_start = serializers.DateField()
        calls = serializers.IntegerField(min_value=0, max_value=10, default=2)

    def get_permissions(self):
        return [IsPlanner() if self.request.method == "POST" else HasAnyRole()]

    @extend_schema(responses=RotationWeekOutput(many=True))
    def get(self, request):
        rows = selectors.rotation_weeks_visible_to(request.user)[:300]
        return Response(RotationWeekOutput(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: RotationWeekOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        week = services.rotation_week_plan(actor=request.user, **data.validated_data)
        return Response(RotationWeekOutput(week).data, status=status.HTTP_201_CREATED)


class RotationRoundRobinApi(APIView):
    """Plan consecutive weeks for a team, its agents taking turns."""

    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
        first_week = serializers.DateField()
        weeks = serializers.IntegerField()
        calls = serializers.IntegerField(min_value=0, max_value=10, default=2)

    @extend_schema(request=InputSerializer, responses={201: RotationWeekOutput(many=True)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        weeks = services.rotation_plan_round_robin(actor=request.user, **data.validated_data)
        return Response(RotationWeekOutput(weeks, many=True).data, status=status.HTTP_201_CREATED)


class RotationAssignApi(APIView):
    """Give the week's reviewer one more evaluated call of a peer."""

    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        evaluation = serializers.PrimaryKeyRelatedField(queryset=Evaluation.objects.all())

    @extend_schema(request=InputSerializer, responses={201: PeerReviewOutput})
    def post(self, request, week_id: int):
        week = get_object_or_404(selectors.rotation_weeks_visible_to(request.user), pk=week_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.peer_review_assign(actor=request.user, week=week, **data.validated_data)
        return Response(PeerReviewOutput(review).data, status=status.HTTP_201_CREATED)


def _review_for(user, review_id: int) -> PeerReview:
    review = get_object_or_404(
        PeerReview.objects.select_related("week__reviewer", "reviewed", "evaluation"),
        pk=review_id,
    )
    if not access.can_view_peer_review(user, review):
        raise Http404
    return review


class PeerReviewDetailApi(APIView):
    permission_classes = [HasAnyRole]

    @extend_schema(responses=PeerReviewOutput)
    def get(self, request, review_id: int):
        return Response(PeerReviewOutput(_review_for(request.user, review_id)).data)


class PeerReviewSubmitApi(APIView):
    """The reviewer rates the call on the peer scorecard (never part of the official score)."""

    permission_classes = [HasRole.of(Role.AGENT)]

    class InputSerializer(serializers.Serializer):
        ratings = serializers.DictField(
            child=serializers.IntegerField(min_value=1, max_value=PEER_RATING_MAX)
        )
        comment = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=PeerReviewOutput)
    def post(self, request, review_id: int):
        review = _review_for(request.user, review_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.peer_review_submit(
            actor=request.user, review=review, **data.validated_data
        )
        return Response(PeerReviewOutput(review).data)


name_input_components(globals())
