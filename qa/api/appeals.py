"""Appeal API: file, list, screen, explain, opinions, decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import agent_of, has_role
from agents.roles import Role
from callfloor.errors import DomainError
from qa import access, selectors, services
from qa.api.common import User, deny, name_input_components, not_found
from qa.api.evaluations import evaluation_for
from qa.models import (
    Appeal,
    AppealStatus,
    Seat,
)
from qa.moments.selectors import moment_row
from qa.moments.serializers import MomentInput


class AppealOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    screened_by = serializers.CharField(
        source="screened_by.username", default=None, allow_null=True
    )
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    items = serializers.SerializerMethodField()
    panel = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "evaluation",
            "agent",
            "agent_name",
            "status",
            "filed_at",
            "due_at",
            "screened_by",
            "screened_at",
            "return_reason",
            "explanation",
            "explained_at",
            "decided_by",
            "decided_at",
            "score_before",
            "score_after",
            "items",
            "panel",
        ]

    def get_items(self, obj) -> list[dict]:
        user = self.context["request"].user
        # While the panel deliberates, only the panel and supervisors see its opinions.
        show = (
            obj.status == AppealStatus.DECIDED
            or has_role(user, Role.SUPERVISOR, Role.ADMIN)
            or obj.panel.filter(user=user).exists()
        )
        return [
            {
                "id": item.pk,
                "criterion": item.criterion_id,
                "title": item.criterion.title,
                "points_before": item.points_before,
                "max_points": item.criterion.max_points,
                "reason": item.reason,
                "decision": item.decision,
                "decision_reason": item.decision_reason,
                "points_after": item.points_after,
                "moments": [
                    moment_row(m, author=None)
                    for m in item.moments.select_related("appeal_item__criterion")
                ],
                "opinions": [
                    {
                        "seat": o.member.seat,
                        "opinion": o.opinion,
                        "points": o.points,
                        "note": o.note,
                    }
                    for o in item.opinions.select_related("member")
                ]
                if show
                else None,
            }
            for item in obj.items.select_related("criterion")
        ]

    def get_panel(self, obj) -> list[dict]:
        return [
            {"seat": m.seat, "user": m.user.get_username()}
            for m in obj.panel.select_related("user")
        ]


def _appeal_for(request, appeal_id: int) -> Appeal:
    appeal = get_object_or_404(
        Appeal.objects.select_related("agent__team", "evaluation"), pk=appeal_id
    )
    if not access.can_view_appeal(request.user, appeal):
        raise not_found()
    return appeal


class AppealItemInput(serializers.Serializer):
    criterion = serializers.IntegerField()
    reason = serializers.CharField()
    moments = MomentInput(
        many=True, required=False, default=list, help_text="moments of the call the agent cites"
    )


class AppealListApi(APIView):
    """Appeals the caller may see; the evaluated agent files one with POST."""

    class InputSerializer(serializers.Serializer):
        evaluation = serializers.IntegerField()
        items = AppealItemInput(many=True, allow_empty=False)

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AppealListFilter"

        scope = serializers.ChoiceField(
            choices=["screening", "panel"],
            required=False,
            help_text="screening: the appeals you screen; panel: those whose panel you sit on",
        )

    @extend_schema(parameters=[FilterSerializer], responses=AppealOutput(many=True))
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.appeals_visible_to(request.user)
        scope = query.validated_data.get("scope")
        if scope == "screening":
            qs = selectors.screening_queue(request.user)
        elif scope == "panel":
            qs = selectors.panel_queue(request.user)
        return Response(AppealOutput(qs[:200], many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: AppealOutput})
    def post(self, request):
        if agent_of(request.user) is None:
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = evaluation_for(request, data.validated_data["evaluation"])
        appeal = services.appeal_file(
            evaluation=evaluation, user=request.user, items=data.validated_data["items"]
        )
        return Response(
            AppealOutput(appeal, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AppealDetailApi(APIView):
    @extend_schema(responses=AppealOutput)
    def get(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        return Response(AppealOutput(appeal, context={"request": request}).data)


class AppealScreenApi(APIView):
    """The agent's team lead accepts (with an optional panel) or returns with a reason."""

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        panel = serializers.DictField(
            child=serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all()),
            required=False,
        )

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if not access.can_screen(request.user, appeal):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel = data.validated_data.get("panel")
        if panel is not None:
            unknown = set(panel) - set(Seat.values)
            if unknown:
                raise DomainError(
                    _("Unknown seat %(sorted)s.") % {"sorted": repr(sorted(unknown)[0])},
                    field="panel",
                )
        appeal = services.appeal_screen(
            appeal=appeal,
            actor=request.user,
            accept=data.validated_data["accept"],
            reason=data.validated_data["reason"],
            panel=panel,
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class AppealExplainApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if not access.can_explain(request.user, appeal):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_explain(
            appeal=appeal, actor=request.user, text=data.validated_data["text"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class ProposalInput(serializers.Serializer):
    item = serializers.IntegerField()
    points = serializers.IntegerField(min_value=0)
    reason = serializers.CharField()


class AppealProposalsApi(APIView):
    """A panel member proposes the points they would give each appealed item, with reasons."""

    class InputSerializer(serializers.Serializer):
        proposals = ProposalInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if access.panel_seat(request.user, appeal) is None:
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_propose(
            appeal=appeal, actor=request.user, proposals=data.validated_data["proposals"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class OpinionInput(serializers.Serializer):
    item = serializers.IntegerField()
    opinion = serializers.ChoiceField(choices=["uphold", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AppealOpinionsApi(APIView):
    """The older form of a proposal: uphold (full points) or reject (no change) each item."""

    class InputSerializer(serializers.Serializer):
        opinions = OpinionInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if access.panel_seat(request.user, appeal) is None:
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_give_opinions(
            appeal=appeal, actor=request.user, opinions=data.validated_data["opinions"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class DecisionInput(serializers.Serializer):
    item = serializers.IntegerField()
    points = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="the points the item gets: its maximum upholds it, fewer partly, as before "
        "rejects it",
    )
    decision = serializers.ChoiceField(
        choices=["upheld", "partly", "rejected"],
        required=False,
        help_text="optional: upheld or rejected without points means full points or no change",
    )
    reason = serializers.CharField()


class AppealDecideApi(APIView):
    """The senior supervisor on the panel decides the points of each appealed item."""

    class InputSerializer(serializers.Serializer):
        decisions = DecisionInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if not access.can_decide(request.user, appeal):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            appeal=appeal, actor=request.user, decisions=data.validated_data["decisions"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


name_input_components(globals())
