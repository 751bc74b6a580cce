"""Shift-swap API: propose, accept, decline, cancel, approve, refuse."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from scheduling import access, selectors, services
from scheduling.api.common import IsLead, not_found, own_agent
from scheduling.api.shifts import ShiftOutput
from scheduling.models import (
    Shift,
    SwapRequest,
)


class RuleOutput(serializers.Serializer):
    class Meta:
        ref_name = "SwapRuleCheck"

    code = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


class SwapOutput(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.display_name")
    colleague_name = serializers.CharField(
        source="colleague.display_name", default=None, allow_null=True
    )
    requester_shift = ShiftOutput()
    colleague_shift = ShiftOutput(allow_null=True)
    rules = serializers.SerializerMethodField()

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "status",
            "requester",
            "requester_name",
            "requester_shift",
            "colleague",
            "colleague_name",
            "colleague_shift",
            "note",
            "created_at",
            "accepted_at",
            "decided_at",
            "decision_reason",
            "rules",
        ]

    @extend_schema_field(RuleOutput(many=True))
    def get_rules(self, obj) -> list[dict]:
        return [vars(c) for c in services.swap_checks(obj)]


def _swap(request, swap_id: int) -> SwapRequest:
    swap = selectors.swaps_visible_to(request.user).filter(pk=swap_id).first()
    if swap is None:
        raise not_found()
    return swap


class SwapListApi(ListAPIView):
    """Swaps the caller may see; an agent proposes (colleague_shift) or offers (none) with POST."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = SwapOutput

    def get_queryset(self):
        return selectors.swaps_visible_to(self.request.user).prefetch_related(
            "requester_shift__activities", "colleague_shift__activities"
        )

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SwapListInput"

        shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.all())
        colleague_shift = serializers.PrimaryKeyRelatedField(
            queryset=Shift.objects.filter(published_at__isnull=False),
            required=False,
            allow_null=True,
        )
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: SwapOutput})
    def post(self, request):
        agent = own_agent(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = data.validated_data.get("colleague_shift")
        swap = services.swap_propose(
            requester=agent,
            shift=data.validated_data["shift"],
            colleague=other.agent if other else None,
            colleague_shift=other,
            note=data.validated_data["note"],
        )
        return Response(SwapOutput(swap).data, status=status.HTTP_201_CREATED)


class SwapDetailApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]

    @extend_schema(responses=SwapOutput)
    def get(self, request, swap_id: int):
        return Response(SwapOutput(_swap(request, swap_id)).data)


class _SwapAction(APIView):
    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]

    def act(self, request, swap):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @extend_schema(request=None, responses=SwapOutput)
    def post(self, request, swap_id: int):
        swap = self.act(request, _swap(request, swap_id))
        return Response(SwapOutput(swap).data)


class SwapAcceptApi(_SwapAction):
    def act(self, request, swap):
        return services.swap_accept(swap=swap, agent=own_agent(request))


class SwapDeclineApi(_SwapAction):
    def act(self, request, swap):
        return services.swap_decline(swap=swap, agent=own_agent(request))


class SwapCancelApi(_SwapAction):
    def act(self, request, swap):
        return services.swap_cancel(swap=swap, agent=own_agent(request))


class SwapApproveApi(_SwapAction):
    permission_classes = [IsLead]

    def act(self, request, swap):
        return services.swap_approve(swap=swap, actor=request.user)


class SwapRefuseApi(_SwapAction):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SwapRefuseInput"

        reason = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses=SwapOutput)
    def post(self, request, swap_id: int):
        swap = _swap(request, swap_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        swap = services.swap_refuse(swap=swap, actor=request.user, **data.validated_data)
        return Response(SwapOutput(swap).data)
