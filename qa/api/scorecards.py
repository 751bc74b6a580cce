"""Scorecard API: list, versions, release, copy."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import access, services
from qa.api.common import IsManager, IsStaff, deny, name_input_components
from qa.models import (
    ScorecardVersion,
)


class CriterionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    kind = serializers.CharField()
    max_points = serializers.IntegerField()
    critical = serializers.CharField()
    allow_na = serializers.BooleanField()


class SectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.FloatField()
    criteria = CriterionOutput(many=True, source="criteria.all")


class VersionOutput(serializers.ModelSerializer):
    scorecard = serializers.CharField(source="scorecard.name")
    sections = SectionOutput(many=True, source="sections.all")

    class Meta:
        model = ScorecardVersion
        fields = [
            "id",
            "scorecard",
            "number",
            "status",
            "notes",
            "created_at",
            "released_at",
            "sections",
        ]


class CriterionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    guidance = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=["points", "scale"], default="points")
    max_points = serializers.IntegerField(min_value=1, max_value=100, default=1)
    critical = serializers.ChoiceField(choices=["none", "section", "evaluation"], default="none")
    allow_na = serializers.BooleanField(default=True)


class SectionInput(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    weight = serializers.FloatField(min_value=0.01, default=1.0)
    criteria = CriterionInput(many=True, allow_empty=False)


class ScorecardListApi(APIView):
    """Scorecards with their versions (staff); QA managers create one with POST."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150)
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        sections = SectionInput(many=True, allow_empty=False)

    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request):
        versions = ScorecardVersion.objects.select_related("scorecard").prefetch_related(
            "sections__criteria"
        )
        return Response(VersionOutput(versions, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: VersionOutput})
    def post(self, request):
        if not access.is_qa_manager(request.user):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.scorecard_create(actor=request.user, **data.validated_data)
        return Response(VersionOutput(card.versions.get()).data, status=status.HTTP_201_CREATED)


class ScorecardVersionApi(APIView):
    """One scorecard version; PUT replaces a draft's sections (a released one never changes)."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        notes = serializers.CharField(required=False, allow_blank=True)
        sections = SectionInput(many=True, allow_empty=False)

    @extend_schema(responses=VersionOutput)
    def get(self, request, version_id: int):
        return Response(VersionOutput(get_object_or_404(ScorecardVersion, pk=version_id)).data)

    @extend_schema(request=InputSerializer, responses=VersionOutput)
    def put(self, request, version_id: int):
        if not access.is_qa_manager(request.user):
            raise deny()
        version = get_object_or_404(ScorecardVersion, pk=version_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.scorecard_version_update(
            version=version, actor=request.user, **data.validated_data
        )
        return Response(VersionOutput(version).data)


class ScorecardVersionReleaseApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=None, responses=VersionOutput)
    def post(self, request, version_id: int):
        version = get_object_or_404(ScorecardVersion, pk=version_id)
        version = services.scorecard_version_release(version=version, actor=request.user)
        return Response(VersionOutput(version).data)


class ScorecardVersionCopyApi(APIView):
    """Start the next version of a scorecard as a draft copy."""

    permission_classes = [IsManager]

    @extend_schema(request=None, responses={201: VersionOutput})
    def post(self, request, version_id: int):
        version = get_object_or_404(ScorecardVersion, pk=version_id)
        new = services.scorecard_version_copy(version=version, actor=request.user)
        return Response(VersionOutput(new).data, status=status.HTTP_201_CREATED)


name_input_components(globals())
