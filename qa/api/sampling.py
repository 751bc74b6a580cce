"""Sampling API: rules, publish, draw, verify, replace a pick."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import agent_of, is_staff_role
from agents.models import Team
from callfloor.errors import DomainError
from metrics.models import Queue
from qa import access, selectors, services
from qa.api.common import IsManager, deny, name_input_components
from qa.models import (
    RuleMethod,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
)


class RuleOutput(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", default=None, allow_null=True)
    queues = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    description = serializers.CharField(source="describe")
    effective_end = serializers.DateField()
    seed = serializers.SerializerMethodField()

    class Meta:
        model = SamplingRule
        fields = [
            "id",
            "name",
            "description",
            "team",
            "queues",
            "scorecard_version",
            "method",
            "calls_per_agent",
            "min_talk_s",
            "nth",
            "after",
            "period_start",
            "period_end",
            "effective_end",
            "status",
            "seed_hash",
            "definition_hash",
            "seed",
            "published_at",
            "supersedes",
            "superseded_from",
            "drawn_at",
        ]

    def get_seed(self, obj) -> str | None:
        return obj.seed if services.seed_revealed(obj) else None


def _rules_for(user):
    qs = SamplingRule.objects.select_related("team").prefetch_related("queues")
    if access.is_qa_manager(user):
        return qs
    if is_staff_role(user):
        return qs.filter(status="published")
    own = agent_of(user)
    return selectors.rules_for_agent(own).prefetch_related("queues") if own else qs.none()


class RuleInput(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    queues = serializers.SlugRelatedField(
        slug_field="name", queryset=Queue.objects.all(), many=True, required=False
    )
    scorecard_version = serializers.PrimaryKeyRelatedField(queryset=ScorecardVersion.objects.all())
    method = serializers.ChoiceField(choices=RuleMethod.choices, default=RuleMethod.RANDOM)
    calls_per_agent = serializers.IntegerField(min_value=0, max_value=100, default=2)
    min_talk_s = serializers.IntegerField(min_value=0, default=0)
    nth = serializers.IntegerField(min_value=1, default=1)
    after = serializers.TimeField(required=False, allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=SamplingRule.objects.all(), required=False, allow_null=True
    )


class SamplingRuleListApi(APIView):
    """Sampling rules (agents: the published ones that apply to them); analysts create."""

    @extend_schema(responses=RuleOutput(many=True))
    def get(self, request):
        return Response(RuleOutput(_rules_for(request.user), many=True).data)

    @extend_schema(request=RuleInput, responses={201: RuleOutput})
    def post(self, request):
        if not access.is_qa_manager(request.user):
            raise deny()
        data = RuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.sampling_rule_create(actor=request.user, **data.validated_data)
        return Response(RuleOutput(rule).data, status=status.HTTP_201_CREATED)


def _rule_for(request, rule_id: int) -> SamplingRule:
    return get_object_or_404(_rules_for(request.user), pk=rule_id)


class SamplingRuleDetailApi(APIView):
    """One rule; PATCH edits a draft (a published rule never changes)."""

    @extend_schema(responses=RuleOutput)
    def get(self, request, rule_id: int):
        return Response(RuleOutput(_rule_for(request, rule_id)).data)

    @extend_schema(request=RuleInput(partial=True), responses=RuleOutput)
    def patch(self, request, rule_id: int):
        if not access.is_qa_manager(request.user):
            raise deny()
        rule = _rule_for(request, rule_id)
        data = RuleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("supersedes", None)
        rule = services.sampling_rule_update(rule=rule, actor=request.user, **values)
        return Response(RuleOutput(rule).data)


class SamplingRulePublishApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=None, responses=RuleOutput)
    def post(self, request, rule_id: int):
        rule = services.sampling_rule_publish(rule=_rule_for(request, rule_id), actor=request.user)
        return Response(RuleOutput(rule).data)


class SamplingRuleDrawApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        request=None, responses=inline_serializer("Drawn", {"picks": serializers.IntegerField()})
    )
    def post(self, request, rule_id: int):
        rows = services.sampling_rule_draw(rule=_rule_for(request, rule_id), actor=request.user)
        return Response({"picks": len(rows)})


class SamplingRuleVerifyApi(APIView):
    """Recompute the sample from the revealed seed; an agent sees only their own calls."""

    @extend_schema(
        responses=inline_serializer(
            "Verification",
            {
                "seed": serializers.CharField(),
                "seed_hash_ok": serializers.BooleanField(),
                "definition_hash_ok": serializers.BooleanField(),
                "agents": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request, rule_id: int):
        from qa import sampling

        rule = _rule_for(request, rule_id)
        if not services.seed_revealed(rule):
            raise DomainError(
                _("The seed is revealed when the period is over."),
                field="period_end",
                code="not_revealed",
            )
        agent = None if is_staff_role(request.user) else agent_of(request.user)
        rows = selectors.rule_verification(rule, agent=agent)
        return Response(
            {
                "seed": rule.seed,
                "seed_hash_ok": sampling.seed_hash(rule.seed) == rule.seed_hash,
                "definition_hash_ok": sampling.definition_hash(
                    rule.published_spec(), rule.definition_extra()
                )
                == rule.definition_hash,
                "agents": [
                    {
                        "agent": row.agent.display_name,
                        "expected": row.expected,
                        "evaluated": row.evaluated,
                        "matches": row.matches,
                        "replaced": [
                            {"key": p.key, "reason": p.replace_reason} for p in row.replaced
                        ],
                        "outside_sample": [e.pk for e in row.outside],
                    }
                    for row in rows
                ],
            }
        )


class PickReplaceApi(APIView):
    permission_classes = [IsManager]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "Replacement", {"replacement": serializers.CharField(allow_null=True)}
        ),
    )
    def post(self, request, pick_id: int):
        pick = get_object_or_404(SampledCall, pk=pick_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.sampled_call_replace(
            pick=pick, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response({"replacement": new.key if new else None})


name_input_components(globals())
