"""Briefing API: list, file, mark read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.models import Agent, Team
from agents.roles import Role
from scheduling import access, selectors, services
from scheduling.api.common import not_found, own_agent
from scheduling.models import (
    Briefing,
    BriefingKind,
)


class BriefingOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Briefing
        fields = [
            "id",
            "team",
            "kind",
            "held_at",
            "author",
            "agenda",
            "minutes",
            "attendees",
            "created_at",
        ]


class BriefingListApi(ListAPIView):
    """Briefings of the caller's team(s); a lead files one with POST."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = BriefingOutput

    def get_queryset(self):
        return selectors.briefings_visible_to(self.request.user).prefetch_related("attendees")

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BriefingCreate"

        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
        kind = serializers.ChoiceField(choices=BriefingKind.choices)
        held_at = serializers.DateTimeField()
        agenda = serializers.CharField()
        minutes = serializers.CharField()
        attendees = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), many=True, required=False, default=list
        )

    @extend_schema(request=InputSerializer, responses={201: BriefingOutput})
    def post(self, request):
        if not access.has_lead_role(request.user):
            self.permission_denied(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        briefing = services.briefing_create(author=request.user, **data.validated_data)
        return Response(BriefingOutput(briefing).data, status=status.HTTP_201_CREATED)


class BriefingReadApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT)]

    @extend_schema(
        request=None,
        responses=inline_serializer("BriefingReadDone", {"read_at": serializers.DateTimeField()}),
    )
    def post(self, request, briefing_id: int):
        briefing = selectors.briefings_visible_to(request.user).filter(pk=briefing_id).first()
        if briefing is None:
            raise not_found()
        read = services.briefing_mark_read(briefing=briefing, agent=own_agent(request))
        return Response({"read_at": read.read_at})
