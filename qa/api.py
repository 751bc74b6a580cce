"""Quality API: thin views over qa.services and qa.selectors."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of, has_role, is_staff_role
from agents.models import Agent, Team
from agents.roles import STAFF_ROLES, Role
from callfloor.errors import DomainError
from metrics.models import Queue, QueueCall
from qa import access, selectors, services
from qa.models import (
    Appeal,
    AppealStatus,
    CalibrationSession,
    Evaluation,
    GreatCall,
    QaSettings,
    RuleMethod,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
    ScoreRevision,
    Seat,
)

User = get_user_model()
IsStaff = HasRole.of(*STAFF_ROLES)
IsManager = HasRole.of(*access.QA_MANAGERS)
IsAnalyst = HasRole.of(Role.QA_ANALYST)
IsAdmin = HasRole.of(Role.ADMIN)
IsSupervisor = HasRole.of(Role.SUPERVISOR)

FORBIDDEN = "You may not do this."


def _deny() -> DomainError:
    return DomainError(FORBIDDEN, status_code=403, code="forbidden")


def _not_found() -> DomainError:
    return DomainError("Not found.", status_code=404, code="not_found")


def _username(user) -> str | None:
    return user.get_username() if user else None


# --- scorecards -----------------------------------------------------------------------------------


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
            raise _deny()
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
            raise _deny()
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


# --- evaluations ----------------------------------------------------------------------------------


class RevisionOutput(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ScoreRevision
        fields = [
            "number",
            "score",
            "reason",
            "appeal",
            "answers",
            "result",
            "created_by",
            "created_at",
            "acknowledged_at",
        ]

    def get_created_by(self, obj) -> str | None:
        # Who revised is named to those who may see who evaluated, and hidden from peers alike.
        shown = self.context.get("shows_evaluator")
        if shown is None:
            request = self.context.get("request")
            shown = request is not None and access.shows_evaluator(request.user, obj.evaluation)
        return obj.created_by.get_username() if shown else None


class EvaluationOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    scorecard = serializers.CharField(source="scorecard_version.__str__")
    evaluator = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    appeal_deadline = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "agent",
            "agent_name",
            "scorecard_version",
            "scorecard",
            "call",
            "recording_id",
            "pick",
            "evaluator",
            "status",
            "score",
            "answers",
            "created_at",
            "released_at",
            "first_read_at",
            "appeal_deadline",
            "revisions",
        ]

    def get_evaluator(self, obj) -> str | None:
        user = self.context["request"].user
        return obj.evaluator.get_username() if access.shows_evaluator(user, obj) else None

    def get_revisions(self, obj) -> list[dict]:
        shown = access.shows_evaluator(self.context["request"].user, obj)
        return RevisionOutput(
            obj.revisions.select_related("created_by"),
            many=True,
            context={**self.context, "shows_evaluator": shown},
        ).data

    def get_appeal_deadline(self, obj) -> datetime | None:
        return services.appeal_deadline(obj) if obj.released_at else None


def _evaluation_for(request, evaluation_id: int) -> Evaluation:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("agent__user", "evaluator"), pk=evaluation_id
    )
    if not access.can_view_evaluation(request.user, evaluation):
        raise _not_found()
    return evaluation


class AnswerInput(serializers.Serializer):
    points = serializers.IntegerField(min_value=0, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationListApi(APIView):
    """Evaluations the caller may see; a QA analyst starts one with POST."""

    class InputSerializer(serializers.Serializer):
        pick = serializers.PrimaryKeyRelatedField(
            queryset=SampledCall.objects.all(), required=False
        )
        scorecard_version = serializers.PrimaryKeyRelatedField(
            queryset=ScorecardVersion.objects.all(), required=False
        )
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
        call = serializers.PrimaryKeyRelatedField(queryset=QueueCall.objects.all(), required=False)
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=EvaluationOutput(many=True))
    def get(self, request):
        qs = selectors.evaluations_visible_to(request.user)
        if "agent" in request.query_params:
            qs = qs.filter(agent_id=request.query_params["agent"])
        return Response(EvaluationOutput(qs[:200], many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: EvaluationOutput})
    def post(self, request):
        if not has_role(request.user, Role.QA_ANALYST):
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.evaluation_create(evaluator=request.user, **data.validated_data)
        return Response(
            EvaluationOutput(evaluation, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class EvaluationDetailApi(APIView):
    """One evaluation; its evaluator saves draft answers with PATCH."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())

    @extend_schema(responses=EvaluationOutput)
    def get(self, request, evaluation_id: int):
        evaluation = _evaluation_for(request, evaluation_id)
        services.evaluation_mark_read(evaluation=evaluation, user=request.user)
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=EvaluationOutput)
    def patch(self, request, evaluation_id: int):
        evaluation = _evaluation_for(request, evaluation_id)
        if not access.can_edit_evaluation(request.user, evaluation):
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.evaluation_set_answers(
            evaluation=evaluation, actor=request.user, answers=data.validated_data["answers"]
        )
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)


class EvaluationReleaseApi(APIView):
    @extend_schema(request=None, responses=EvaluationOutput)
    def post(self, request, evaluation_id: int):
        evaluation = _evaluation_for(request, evaluation_id)
        if evaluation.evaluator_id != request.user.pk:
            raise _deny()
        evaluation = services.evaluation_release(evaluation=evaluation, actor=request.user)
        return Response(EvaluationOutput(evaluation, context={"request": request}).data)


class EvaluationAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=RevisionOutput)
    def post(self, request, evaluation_id: int):
        evaluation = _evaluation_for(request, evaluation_id)
        if not access.owns_evaluation(request.user, evaluation):
            raise _deny()
        revision = services.evaluation_acknowledge(evaluation=evaluation, user=request.user)
        return Response(RevisionOutput(revision, context={"request": request}).data)


class EvaluationReviseApi(APIView):
    """A new score revision (QA analysts and supervisors), with the reason."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())
        reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: RevisionOutput})
    def post(self, request, evaluation_id: int):
        evaluation = _evaluation_for(request, evaluation_id)
        if not access.can_revise_evaluation(request.user, evaluation):
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.evaluation_revise(
            evaluation=evaluation,
            actor=request.user,
            changes=data.validated_data["answers"],
            reason=data.validated_data["reason"],
        )
        return Response(
            RevisionOutput(revision, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- appeals --------------------------------------------------------------------------------------


class AppealOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    screened_by = serializers.CharField(source="screened_by.username", default=None)
    decided_by = serializers.CharField(source="decided_by.username", default=None)
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
                "opinions": [
                    {"seat": o.member.seat, "opinion": o.opinion, "note": o.note}
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
        raise _not_found()
    return appeal


class AppealItemInput(serializers.Serializer):
    criterion = serializers.IntegerField()
    reason = serializers.CharField()


class AppealListApi(APIView):
    """Appeals the caller may see; the evaluated agent files one with POST."""

    class InputSerializer(serializers.Serializer):
        evaluation = serializers.IntegerField()
        items = AppealItemInput(many=True, allow_empty=False)

    @extend_schema(responses=AppealOutput(many=True))
    def get(self, request):
        qs = selectors.appeals_visible_to(request.user)
        scope = request.query_params.get("scope")
        if scope == "screening":
            qs = selectors.screening_queue(request.user)
        elif scope == "panel":
            qs = selectors.panel_queue(request.user)
        return Response(AppealOutput(qs[:200], many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: AppealOutput})
    def post(self, request):
        if agent_of(request.user) is None:
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = _evaluation_for(request, data.validated_data["evaluation"])
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
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel = data.validated_data.get("panel")
        if panel is not None:
            unknown = set(panel) - set(Seat.values)
            if unknown:
                raise DomainError(f"Unknown seat {sorted(unknown)[0]!r}.", field="panel")
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
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_explain(
            appeal=appeal, actor=request.user, text=data.validated_data["text"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class OpinionInput(serializers.Serializer):
    item = serializers.IntegerField()
    opinion = serializers.ChoiceField(choices=["uphold", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AppealOpinionsApi(APIView):
    """A panel member's opinion on each appealed criterion."""

    class InputSerializer(serializers.Serializer):
        opinions = OpinionInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if access.panel_seat(request.user, appeal) is None:
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_give_opinions(
            appeal=appeal, actor=request.user, opinions=data.validated_data["opinions"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


class DecisionInput(serializers.Serializer):
    item = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=["upheld", "rejected"])
    reason = serializers.CharField()
    points = serializers.IntegerField(required=False, allow_null=True, default=None)


class AppealDecideApi(APIView):
    """The senior supervisor on the panel decides each criterion."""

    class InputSerializer(serializers.Serializer):
        decisions = DecisionInput(many=True, allow_empty=False)

    @extend_schema(request=InputSerializer, responses=AppealOutput)
    def post(self, request, appeal_id: int):
        appeal = _appeal_for(request, appeal_id)
        if not access.can_decide(request.user, appeal):
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            appeal=appeal, actor=request.user, decisions=data.validated_data["decisions"]
        )
        return Response(AppealOutput(appeal, context={"request": request}).data)


# --- sampling -------------------------------------------------------------------------------------


class RuleOutput(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", default=None)
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
            raise _deny()
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
            raise _deny()
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
                "The seed is revealed when the period is over.",
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


# --- calibration ----------------------------------------------------------------------------------


class CalibrationOutput(serializers.ModelSerializer):
    participants = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    reference_by = serializers.CharField(source="reference_by.username", default=None)

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "title",
            "scorecard_version",
            "call",
            "recording_id",
            "participants",
            "reference_by",
            "status",
            "created_at",
            "closed_at",
        ]


CalibrationPermission = HasRole.of(Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)


class CalibrationListApi(APIView):
    permission_classes = [CalibrationPermission]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=150)
        scorecard_version = serializers.PrimaryKeyRelatedField(
            queryset=ScorecardVersion.objects.all()
        )
        call = serializers.PrimaryKeyRelatedField(
            queryset=QueueCall.objects.all(), required=False, allow_null=True
        )
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")
        participants = serializers.SlugRelatedField(
            slug_field="username", many=True, queryset=User.objects.all()
        )
        reference_by = serializers.SlugRelatedField(
            slug_field="username", required=False, allow_null=True, queryset=User.objects.all()
        )

    @extend_schema(responses=CalibrationOutput(many=True))
    def get(self, request):
        return Response(
            CalibrationOutput(selectors.calibration_sessions_for(request.user), many=True).data
        )

    @extend_schema(request=InputSerializer, responses={201: CalibrationOutput})
    def post(self, request):
        if not access.is_qa_manager(request.user):
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.calibration_create(actor=request.user, **data.validated_data)
        return Response(CalibrationOutput(session).data, status=status.HTTP_201_CREATED)


def _session_for(request, session_id: int) -> CalibrationSession:
    return get_object_or_404(selectors.calibration_sessions_for(request.user), pk=session_id)


class CalibrationDetailApi(APIView):
    """A session; the report appears once the caller has scored (blind until then)."""

    permission_classes = [CalibrationPermission]

    @extend_schema(
        responses=inline_serializer(
            "CalibrationReport",
            {
                "session": CalibrationOutput(),
                "report": serializers.DictField(allow_null=True),
                "trends": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request, session_id: int):
        session = _session_for(request, session_id)
        visible = selectors.calibration_can_see_scores(session, request.user)
        return Response(
            {
                "session": CalibrationOutput(session).data,
                "report": selectors.calibration_report(session) if visible else None,
            }
        )


class CalibrationSubmitApi(APIView):
    permission_classes = [CalibrationPermission]

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=AnswerInput())

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "CalibrationScored", {"score": serializers.FloatField(allow_null=True)}
            )
        },
    )
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.calibration_submit(
            session=session, evaluator=request.user, answers=data.validated_data["answers"]
        )
        return Response({"score": row.score}, status=status.HTTP_201_CREATED)


class CalibrationCloseApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(request=None, responses=CalibrationOutput)
    def post(self, request, session_id: int):
        session = services.calibration_close(
            session=_session_for(request, session_id), actor=request.user
        )
        return Response(CalibrationOutput(session).data)


class CalibrationTrendsApi(APIView):
    """Each evaluator's deviation from the reference over sessions, with a drift flag."""

    permission_classes = [IsManager]

    @extend_schema(
        responses=inline_serializer(
            "Trend",
            {
                "evaluator": serializers.CharField(),
                "deviations": serializers.ListField(),
                "drifting": serializers.BooleanField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(selectors.evaluator_trends())


# --- great calls, statistics, settings ------------------------------------------------------------


class GreatCallOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    nominated_by = serializers.CharField(source="nominator_label")

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
        ]


class LibraryApi(APIView):
    """Featured great calls for everyone (supervisors also see nominations); POST nominates."""

    class InputSerializer(serializers.Serializer):
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
        call = serializers.PrimaryKeyRelatedField(queryset=QueueCall.objects.all(), required=False)
        recording_id = serializers.CharField(required=False, allow_blank=True, default="")
        reason = serializers.CharField()
        anonymous = serializers.BooleanField(default=False)

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
            raise _deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.qa_settings_update(actor=request.user, **data.validated_data)
        return Response(SettingsOutput(config).data)


def _name_input_components(namespace: dict) -> None:
    """Name each view's nested InputSerializer after its view in the OpenAPI schema."""
    for name, view in list(namespace.items()):
        if isinstance(view, type) and issubclass(view, APIView) and "InputSerializer" in vars(view):
            component = f"{name.removesuffix('Api')}Input"
            extend_schema_serializer(component_name=component)(view.InputSerializer)


_name_input_components(globals())
