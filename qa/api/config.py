"""Quality figures and settings API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import has_role
from agents.roles import Role
from qa import selectors, services
from qa.api.common import IsStaff, deny, name_input_components
from qa.models import (
    QaSettings,
)


class StatsApi(APIView):
    """Appeal outcomes per evaluator, agent and criterion."""

    permission_classes = [IsStaff]

    @extend_schema(
        responses=inline_serializer(
            "AppealStats",
            {
                "evaluators": serializers.ListField(),
                "agents": serializers.ListField(),
                "criteria": serializers.ListField(),
            },
        )
    )
    def get(self, request):
        return Response(selectors.appeal_stats())


class SettingsOutput(serializers.ModelSerializer):
    class Meta:
        model = QaSettings
        fields = [
            "appeal_window_days",
            "screening_days",
            "panel_days",
            "transparency",
            "hide_evaluator_names",
        ]


class SettingsApi(APIView):
    """The centre's quality settings; administrators change them."""

    class InputSerializer(serializers.Serializer):
        appeal_window_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
        screening_days = serializers.IntegerField(min_value=1, max_value=30, required=False)
        panel_days = serializers.IntegerField(min_value=1, max_value=60, required=False)
        transparency = serializers.BooleanField(required=False)
        hide_evaluator_names = serializers.BooleanField(required=False)

    @extend_schema(responses=SettingsOutput)
    def get(self, request):
        return Response(SettingsOutput(QaSettings.load()).data)

    @extend_schema(request=InputSerializer, responses=SettingsOutput)
    def patch(self, request):
        if not has_role(request.user, Role.ADMIN):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.qa_settings_update(actor=request.user, **data.validated_data)
        return Response(SettingsOutput(config).data)


name_input_components(globals())
