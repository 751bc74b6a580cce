"""Role-swap API: list (managers: all; the people of a swap: theirs), grant, end."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from agents.swaps import selectors, services
from agents.swaps.models import RoleSwap

IsSwapManager = HasRole.of(Role.SUPERVISOR, Role.ADMIN)


class RoleSwapOutput(serializers.ModelSerializer):
    agent_as_analyst = serializers.CharField(
        source="agent_as_analyst.username", default=None, allow_null=True
    )
    analyst_as_agent = serializers.CharField(
        source="analyst_as_agent.username", default=None, allow_null=True
    )
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = RoleSwap
        fields = [
            "id",
            "agent_as_analyst",
            "analyst_as_agent",
            "starts_at",
            "ends_at",
            "reason",
            "status",
            "in_force",
            "started_at",
            "ended_at",
        ]

    def get_in_force(self, obj) -> bool:
        return obj.in_force()


class RoleSwapListApi(APIView):
    """GET: role swaps (supervisors and admins: all; others: their own). POST: grant one."""

    @extend_schema_serializer(component_name="RoleSwapGrantInput")
    class InputSerializer(serializers.Serializer):
        agent_as_analyst = serializers.SlugRelatedField(
            slug_field="username",
            queryset=get_user_model().objects.all(),
            required=False,
            allow_null=True,
        )
        analyst_as_agent = serializers.SlugRelatedField(
            slug_field="username",
            queryset=get_user_model().objects.all(),
            required=False,
            allow_null=True,
        )
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsSwapManager()]
        return [IsAuthenticated()]

    @extend_schema(responses=RoleSwapOutput(many=True))
    def get(self, request):
        rows = selectors.role_swaps_visible_to(request.user)[:500]
        return Response(RoleSwapOutput(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: RoleSwapOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        swap = services.role_swap_grant(actor=request.user, **data.validated_data)
        return Response(RoleSwapOutput(swap).data, status=status.HTTP_201_CREATED)


class RoleSwapEndApi(APIView):
    """End a role swap now: its rights are withdrawn at once."""

    permission_classes = [IsSwapManager]

    @extend_schema(request=None, responses=RoleSwapOutput)
    def post(self, request, swap_id: int):
        swap = services.role_swap_end(
            swap=get_object_or_404(RoleSwap, pk=swap_id), actor=request.user
        )
        return Response(RoleSwapOutput(swap).data)
