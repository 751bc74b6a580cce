"""Great-call library API: list, nominate, feature."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import has_role
from agents.models import Agent
from agents.roles import Role
from metrics.models import QueueCall
from qa import selectors, services
from qa.api.common import IsSupervisor, name_input_components
from qa.models import (
    GreatCall,
)
from qa.moments.selectors import great_call_moments
from qa.moments.serializers import MomentInput


class GreatCallOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    nominated_by = serializers.CharField(source="nominator_label")
    highlight = serializers.SerializerMethodField()

    class Meta:
        model = GreatCall
        fields = [
            "id",
            "agent",
            "agent_name",
            "call",
            "recording_id",
            "reason",
            "nominated_by",
            "status",
            "nominated_at",
            "featured_at",
            "feature_note",
            "highlight",
        ]

    def get_highlight(self, obj) -> dict | None:
        moments = great_call_moments(nomination=obj)
        return moments[0] if moments else None


class LibraryApi(APIView):
    """Featured great calls for everyone (supervisors also see nominations); POST nominates."""

    class InputSerializer(serializers.Serializer):
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
        call = serializers.PrimaryKeyRelatedField(queryset=QueueCall.objects.all(), required=False)
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")
        reason = serializers.CharField()
        anonymous = serializers.BooleanField(default=False)
        highlight = MomentInput(
            required=False, help_text="the moment of the call the nominator points at"
        )

    @extend_schema(responses=GreatCallOutput(many=True))
    def get(self, request):
        rows = list(selectors.library_featured())
        if has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
            rows += list(selectors.library_nominations())
        return Response(GreatCallOutput(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: GreatCallOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.great_call_nominate(user=request.user, **data.validated_data)
        return Response(GreatCallOutput(row).data, status=status.HTTP_201_CREATED)


class LibraryFeatureApi(APIView):
    permission_classes = [IsSupervisor]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=GreatCallOutput)
    def post(self, request, nomination_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.great_call_feature(
            nomination=get_object_or_404(GreatCall, pk=nomination_id),
            actor=request.user,
            note=data.validated_data["note"],
        )
        return Response(GreatCallOutput(row).data)


name_input_components(globals())
