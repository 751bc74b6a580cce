"""REST API for scheduling: thin views over services and selectors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of
from agents.models import Agent, Team
from agents.roles import Role
from callfloor.errors import DomainError, error_body
from callfloor.query import day_field, id_field
from scheduling import access, selectors, services
from scheduling.models import (
    ActivityKind,
    Briefing,
    BriefingKind,
    CaseOutcome,
    Handover,
    HandoverAddendum,
    HandoverCase,
    LeaveRequest,
    LeaveStatus,
    LeftoverCase,
    Severity,
    Shift,
    ShiftActivity,
    SwapRequest,
)

User = get_user_model()
IsLead = HasRole.of(*access.LEADS)
IsTeamLead = HasRole.of(Role.TEAM_LEAD)


def _not_found() -> DomainError:
    return DomainError(_("Not found."), status_code=404, code="not_found")


# --- handovers ------------------------------------------------------------------------------------


class HandoverCaseOutput(serializers.ModelSerializer):
    source_agent = serializers.CharField(
        source="source_agent.display_name", default=None, allow_null=True
    )
    outcome_by = serializers.CharField(source="outcome_by.username", default=None, allow_null=True)
    carried_from = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = HandoverCase
        fields = [
            "id",
            "customer_ref",
            "pending",
            "severity",
            "next_action",
            "owner",
            "source_agent",
            "carried_from",
            "opened_at",
            "promised",
            "due_at",
            "confirmed_at",
            "outcome",
            "outcome_note",
            "outcome_by",
            "outcome_at",
        ]


class HandoverAddendumOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    author_name = serializers.SerializerMethodField()
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, allow_null=True
    )

    class Meta:
        model = HandoverAddendum
        fields = [
            "id",
            "author",
            "author_name",
            "text",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
        ]

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.username


class HandoverOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    to_lead = serializers.CharField(source="to_lead.username")
    supervisor = serializers.CharField(source="supervisor.username")
    cases = HandoverCaseOutput(many=True, read_only=True)
    addenda = HandoverAddendumOutput(many=True, read_only=True)
    locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "author",
            "to_lead",
            "supervisor",
            "team",
            "shift_date",
            "shift_name",
            "summary",
            "incidents",
            "notes",
            "status",
            "locked",
            "created_at",
            "ack_due_at",
            "acknowledged_at",
            "overdue_alerted_at",
            "closed_at",
            "cases",
            "addenda",
        ]


def _handover(request, handover_id: int) -> Handover:
    handover = selectors.handover_visible_to(request.user).filter(pk=handover_id).first()
    if handover is None:
        raise _not_found()
    return handover


def _case(request, case_id: int) -> HandoverCase:
    case = get_object_or_404(HandoverCase.objects.select_related("handover"), pk=case_id)
    if not access.can_see_handover(request.user, case.handover):
        raise _not_found()
    return case


class HandoverListApi(ListAPIView):
    """Handovers the caller wrote, received or is copied on (supervisors: all); POST sends one."""

    permission_classes = [IsLead]
    serializer_class = HandoverOutput

    def get_queryset(self):
        return selectors.handover_visible_to(self.request.user).prefetch_related(
            "cases__source_agent",
            "cases__outcome_by",
            "addenda__author",
            "addenda__acknowledged_by",
        )

    class LeftoverInput(serializers.Serializer):
        class Meta:
            ref_name = "HandoverLeftoverDecision"

        case = serializers.PrimaryKeyRelatedField(queryset=LeftoverCase.objects.all())
        decision = serializers.ChoiceField(choices=["carry", "reassign", "close"])
        agent = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True, default=None
        )
        note = serializers.CharField(required=False, allow_blank=True, default="")

    class CaseInput(serializers.Serializer):
        class Meta:
            ref_name = "HandoverListCase"

        customer_ref = serializers.CharField(max_length=100)
        pending = serializers.CharField()
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
        next_action = serializers.CharField()
        owner = serializers.CharField(max_length=150)
        source_agent = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True
        )

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverListInput"

        to_lead = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
        supervisor = serializers.SlugRelatedField(
            slug_field="username", queryset=User.objects.all()
        )
        shift_date = serializers.DateField()
        shift_name = serializers.CharField(max_length=60)
        summary = serializers.CharField()
        incidents = serializers.CharField(required=False, allow_blank=True, default="")
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        cases = serializers.ListField(required=False, default=list)
        carry_case_ids = serializers.ListField(
            child=serializers.IntegerField(), required=False, default=list
        )
        leftovers = serializers.ListField(
            required=False,
            default=list,
            help_text=gettext_lazy(
                "decisions on the cases your agents handed over: "
                "{case, decision: carry|reassign|close, agent, note}"
            ),
        )

        def validate_leftovers(self, value):
            rows = HandoverListApi.LeftoverInput(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return rows.validated_data

        def validate_cases(self, value):
            rows = HandoverListApi.CaseInput(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return rows.validated_data

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsTeamLead()]
        return super().get_permissions()

    @extend_schema(request=InputSerializer, responses={201: HandoverOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_create(author=request.user, **data.validated_data)
        return Response(HandoverOutput(handover).data, status=status.HTTP_201_CREATED)


class HandoverDetailApi(APIView):
    """One handover. A sent handover is fixed: there is no PATCH; corrections are addenda."""

    permission_classes = [IsLead]

    @extend_schema(responses=HandoverOutput)
    def get(self, request, handover_id: int):
        return Response(HandoverOutput(_handover(request, handover_id)).data)


class HandoverAcknowledgeApi(APIView):
    """Acknowledge a handover and the addenda sent before it. `addenda` (optional): the ids of
    the addenda the lead has read; a newer one makes the answer 409."""

    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverAcknowledgeInput"

        addenda = serializers.ListField(
            child=serializers.IntegerField(), required=False, allow_null=True, default=None
        )

    @extend_schema(request=InputSerializer, responses=HandoverOutput)
    def post(self, request, handover_id: int):
        handover = _handover(request, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_acknowledge(
            handover=handover, actor=request.user, seen_addenda=data.validated_data["addenda"]
        )
        return Response(HandoverOutput(handover).data)


class HandoverAddendumAcknowledgeApi(APIView):
    """The incoming lead acknowledges an addendum sent after the handover was acknowledged."""

    permission_classes = [IsLead]

    @extend_schema(request=None, responses=HandoverAddendumOutput)
    def post(self, request, addendum_id: int):
        addendum = get_object_or_404(
            HandoverAddendum.objects.select_related("handover", "author"), pk=addendum_id
        )
        if not access.can_see_handover(request.user, addendum.handover):
            raise _not_found()
        addendum = services.handover_addendum_acknowledge(addendum=addendum, actor=request.user)
        return Response(HandoverAddendumOutput(addendum).data)


class HandoverAddendumApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverAddendumInput"

        text = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: HandoverAddendumOutput})
    def post(self, request, handover_id: int):
        handover = _handover(request, handover_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        addendum = services.handover_addendum_add(
            handover=handover, actor=request.user, **data.validated_data
        )
        return Response(HandoverAddendumOutput(addendum).data, status=status.HTTP_201_CREATED)


class HandoverCaseConfirmApi(APIView):
    permission_classes = [IsLead]

    @extend_schema(request=None, responses=HandoverCaseOutput)
    def post(self, request, case_id: int):
        case = services.handover_case_confirm(case=_case(request, case_id), actor=request.user)
        return Response(HandoverCaseOutput(case).data)


class HandoverCaseOutcomeApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HandoverCaseOutcomeInput"

        # The service refuses "open"; one enum keeps the schema's names stable.
        outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=HandoverCaseOutput)
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.handover_case_record_outcome(
            case=case, actor=request.user, **data.validated_data
        )
        return Response(HandoverCaseOutput(case).data)


class OpenCaseOutput(HandoverCaseOutput):
    handover = serializers.PrimaryKeyRelatedField(read_only=True)
    age_hours = serializers.SerializerMethodField()

    class Meta(HandoverCaseOutput.Meta):
        fields = [*HandoverCaseOutput.Meta.fields, "handover", "age_hours"]

    def get_age_hours(self, obj) -> float:
        return round(obj.age.total_seconds() / 3600, 1)


class OpenCaseListApi(APIView):
    """Handed-over cases still open or not resolved across shifts, oldest first."""

    permission_classes = [IsLead]

    @extend_schema(responses=OpenCaseOutput(many=True))
    def get(self, request):
        return Response(
            OpenCaseOutput(selectors.open_cases_visible_to(request.user), many=True).data
        )


# --- leftover cases (agents hand unfinished cases to their team lead) ---------------------------


class LeftoverCaseOutput(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.display_name")
    team = serializers.CharField(source="team.name", default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    reassigned_to = serializers.CharField(
        source="reassigned_to.display_name", default=None, allow_null=True
    )
    handover = serializers.IntegerField(
        source="handover_case.handover_id", default=None, allow_null=True
    )

    class Meta:
        model = LeftoverCase
        fields = [
            "id",
            "agent",
            "team",
            "customer_ref",
            "pending",
            "promised",
            "due_at",
            "severity",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "reassigned_to",
            "handover",
        ]


def _leftover(request, case_id: int) -> LeftoverCase:
    case = selectors.leftover_cases_visible_to(request.user).filter(pk=case_id).first()
    if case is None:
        raise _not_found()
    return case


class LeftoverCaseListApi(ListAPIView):
    """Leftover cases the caller may see (own / their team's / all); an agent POSTs their own."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = LeftoverCaseOutput

    def get_queryset(self):
        return selectors.leftover_cases_visible_to(self.request.user)

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseInput"

        customer_ref = serializers.CharField(max_length=100)
        pending = serializers.CharField()
        promised = serializers.CharField()
        due_at = serializers.DateTimeField()
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole.of(Role.AGENT)()]
        return super().get_permissions()

    @extend_schema(request=InputSerializer, responses={201: LeftoverCaseOutput})
    def post(self, request):
        agent = agent_of(request.user)
        if agent is None:
            raise DomainError(
                _("Only an agent hands over their cases."),
                status_code=403,
                code="permission_denied",
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_submit(agent=agent, **data.validated_data)
        return Response(LeftoverCaseOutput(case).data, status=status.HTTP_201_CREATED)


class LeftoverCaseDetailApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]

    @extend_schema(responses=LeftoverCaseOutput)
    def get(self, request, case_id: int):
        return Response(LeftoverCaseOutput(_leftover(request, case_id)).data)


class LeftoverCaseReassignApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseReassignInput"

        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=LeftoverCaseOutput)
    def post(self, request, case_id: int):
        case = _leftover(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_reassign(
            case=case,
            actor=request.user,
            to_agent=data.validated_data["agent"],
            note=data.validated_data["note"],
        )
        return Response(LeftoverCaseOutput(case).data)


class LeftoverCaseCloseApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeftoverCaseCloseInput"

        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=LeftoverCaseOutput)
    def post(self, request, case_id: int):
        case = _leftover(request, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.leftover_case_close(
            case=case, actor=request.user, note=data.validated_data["note"]
        )
        return Response(LeftoverCaseOutput(case).data)


# --- staffing -------------------------------------------------------------------------------------


class StaffingRowOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    forecast = serializers.FloatField()
    actual = serializers.FloatField(allow_null=True)
    required = serializers.IntegerField(help_text=gettext_lazy("agents on the phones (Erlang C)"))
    required_scheduled = serializers.IntegerField(
        help_text=gettext_lazy("agents to schedule (shrinkage)")
    )
    service_level = serializers.FloatField()
    asa_s = serializers.FloatField()
    scheduled = serializers.IntegerField()
    logged_in = serializers.IntegerField(allow_null=True)


class StaffingOutput(serializers.Serializer):
    queue = serializers.CharField(source="queue.name")
    day = serializers.DateField()
    method = serializers.CharField()
    aht_s = serializers.FloatField()
    interval_minutes = serializers.IntegerField()
    shrinkage = serializers.FloatField()
    max_occupancy = serializers.FloatField()
    rows = StaffingRowOutput(many=True)


class StaffingApi(APIView):
    """Forecast, Erlang C requirement, scheduled and logged-in agents per interval of a day."""

    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StaffingInput"

        queue = id_field()
        day = day_field()
        shrinkage = serializers.FloatField(min_value=0, max_value=0.95, default=0.3)
        max_occupancy = serializers.FloatField(min_value=0.05, max_value=1, default=0.85)

    @extend_schema(parameters=[InputSerializer], responses=StaffingOutput)
    def get(self, request):
        from metrics.models import Queue

        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        queue = Queue.objects.filter(pk=values.pop("queue")).first()
        if queue is None:
            raise DomainError(_("There is no such queue."), field="queue")
        return Response(StaffingOutput(selectors.staffing_day(queue=queue, **values)).data)


# --- shifts ---------------------------------------------------------------------------------------


class ActivityOutput(serializers.ModelSerializer):
    class Meta:
        model = ShiftActivity
        fields = ["kind", "start", "end"]


class ShiftOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    activities = ActivityOutput(many=True, read_only=True)

    class Meta:
        model = Shift
        fields = ["id", "agent", "agent_name", "start", "end", "published_at", "activities"]


class ShiftListApi(APIView):
    """Shifts of a week: a lead's team (?team=, ?week=), or an agent's own published ones."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]

    class ActivityInput(serializers.Serializer):
        class Meta:
            ref_name = "ShiftListActivity"

        kind = serializers.ChoiceField(choices=ActivityKind.choices)
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShiftListInput"

        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()
        activities = serializers.ListField(required=False, default=list)

        def validate_activities(self, value):
            rows = ShiftListApi.ActivityInput(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return [services.ActivityInput(**row) for row in rows.validated_data]

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShiftListFilter"

        week = day_field(help_text="a day of the week (YYYY-MM-DD)")
        team = id_field(required=False, help_text="the team (leads choose one)")

    @extend_schema(parameters=[FilterSerializer], responses=ShiftOutput(many=True))
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        week = selectors.monday_of(query.validated_data["week"])
        start, end = services.week_bounds(week)
        if access.has_lead_role(request.user):
            team = (
                access.readable_teams(request.user)
                .filter(pk=query.validated_data.get("team") or 0)
                .first()
            )
            if team is None:
                raise DomainError(_("Choose a team you manage."), field="team")
            shifts = Shift.objects.filter(agent__team=team)
        else:
            shifts = Shift.objects.filter(agent=agent_of(request.user), published_at__isnull=False)
        shifts = (
            shifts.filter(start__gte=start, start__lt=end)
            .select_related("agent")
            .prefetch_related("activities")
            .order_by("start")
        )
        return Response(ShiftOutput(shifts, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ShiftOutput})
    def post(self, request):
        if not access.has_lead_role(request.user):
            self.permission_denied(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not access.can_decide_for_agent(request.user, data.validated_data["agent"]):
            raise DomainError(
                _("That agent is not in a team you manage."),
                field="agent",
                status_code=403,
                code="permission_denied",
            )
        shift = services.shift_create(actor=request.user, **data.validated_data)
        return Response(ShiftOutput(shift).data, status=status.HTTP_201_CREATED)


class ShiftImportApi(APIView):
    """Import a week of shifts from CSV (`file` upload or `csv` text); all rows or none."""

    permission_classes = [IsLead]

    @extend_schema(
        request=inline_serializer("ShiftImport", {"csv": serializers.CharField()}),
        responses={
            201: inline_serializer("ShiftImportDone", {"created": serializers.IntegerField()})
        },
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload:
            text = upload.read().decode("utf-8-sig", errors="replace")
        else:
            text = request.data.get("csv", "") if isinstance(request.data, dict) else None
        if not text or not isinstance(text, str):
            raise DomainError(_("Send the CSV as a `file` upload or as `csv` text."), field="csv")
        report = services.shifts_import_csv(
            text=text, actor=request.user, teams=access.managed_teams(request.user)
        )
        if not report.ok:
            fields = {f"line {e['line']}.{e['field']}": [e["message"]] for e in report.errors}
            return Response(
                error_body(
                    "invalid",
                    ngettext(
                        "%(count)s row needs fixing; nothing was imported.",
                        "%(count)s rows need fixing; nothing was imported.",
                        len(report.errors),
                    )
                    % {"count": len(report.errors)},
                    fields,
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": report.created}, status=status.HTTP_201_CREATED)


class WeekPublishApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WeekPublishInput"

        team = serializers.IntegerField()
        week = serializers.DateField(help_text=gettext_lazy("the Monday of the week"))

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("Published", {"published": serializers.IntegerField()}),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = access.managed_teams(request.user).filter(pk=data.validated_data["team"]).first()
        if team is None:
            raise DomainError(_("Choose a team you manage."), field="team")
        count = services.week_publish(
            team=team, week_start=data.validated_data["week"], actor=request.user
        )
        return Response({"published": count})


# --- swaps ----------------------------------------------------------------------------------------


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
        raise _not_found()
    return swap


def _own_agent(request) -> Agent:
    agent = agent_of(request.user)
    if agent is None:
        raise DomainError(_("Only agents do this."), status_code=403, code="permission_denied")
    return agent


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
        agent = _own_agent(request)
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
        return services.swap_accept(swap=swap, agent=_own_agent(request))


class SwapDeclineApi(_SwapAction):
    def act(self, request, swap):
        return services.swap_decline(swap=swap, agent=_own_agent(request))


class SwapCancelApi(_SwapAction):
    def act(self, request, swap):
        return services.swap_cancel(swap=swap, agent=_own_agent(request))


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


# --- leave ----------------------------------------------------------------------------------------


class LeaveOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "agent",
            "agent_name",
            "first_day",
            "last_day",
            "kind",
            "reason",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class LeaveListApi(ListAPIView):
    """Leave requests the caller may see; an agent asks for leave with POST."""

    permission_classes = [HasRole.of(Role.AGENT, *access.LEADS)]
    serializer_class = LeaveOutput

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveListFilter"

        team = id_field(required=False, help_text="only this team's requests")
        status = serializers.ChoiceField(choices=LeaveStatus.choices, required=False)
        since = day_field(required=False, help_text="requests with a day on or after this")
        until = day_field(required=False, help_text="requests with a day on or before this")

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["until"] < attrs["since"]:
                raise serializers.ValidationError(
                    {"until": [_("The last day is before the first.")]}
                )
            return attrs

    @extend_schema(parameters=[FilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.FilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        qs = selectors.leave_visible_to(self.request.user)
        if wanted.get("team"):
            qs = qs.filter(agent__team_id=wanted["team"])
        if wanted.get("status"):
            qs = qs.filter(status=wanted["status"])
        if wanted.get("since"):
            qs = qs.filter(last_day__gte=wanted["since"])
        if wanted.get("until"):
            qs = qs.filter(first_day__lte=wanted["until"])
        return qs

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveListInput"

        first_day = serializers.DateField()
        last_day = serializers.DateField()
        kind = serializers.CharField(max_length=40, default="annual")
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: LeaveOutput})
    def post(self, request):
        agent = _own_agent(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_request(agent=agent, **data.validated_data)
        return Response(LeaveOutput(leave).data, status=status.HTTP_201_CREATED)


def _leave(request, leave_id: int) -> LeaveRequest:
    leave = selectors.leave_visible_to(request.user).filter(pk=leave_id).first()
    if leave is None:
        raise _not_found()
    return leave


class LeaveDecideApi(APIView):
    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LeaveDecideInput"

        decision = serializers.ChoiceField(choices=["approve", "refuse"])
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=LeaveOutput)
    def post(self, request, leave_id: int):
        leave = _leave(request, leave_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_decide(
            leave=leave,
            actor=request.user,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
        )
        return Response(LeaveOutput(leave).data)


class LeaveCancelApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT)]

    @extend_schema(request=None, responses=LeaveOutput)
    def post(self, request, leave_id: int):
        leave = services.leave_cancel(leave=_leave(request, leave_id), agent=_own_agent(request))
        return Response(LeaveOutput(leave).data)


# --- attendance -----------------------------------------------------------------------------------


class AttendanceRowOutput(serializers.Serializer):
    agent = serializers.IntegerField(source="agent.pk")
    agent_name = serializers.CharField(source="agent.display_name")
    status = serializers.CharField(source="attendance.status")
    label = serializers.CharField(source="attendance.label")
    late_min = serializers.IntegerField(source="attendance.late_min")
    early_leave_min = serializers.IntegerField(source="attendance.early_leave_min")
    first_login = serializers.DateTimeField(source="attendance.first_login", allow_null=True)
    last_logout = serializers.DateTimeField(source="attendance.last_logout", allow_null=True)
    worked_min = serializers.FloatField(source="attendance.worked_min")
    scheduled_min = serializers.FloatField(source="attendance.scheduled_min")
    conformance = serializers.FloatField(source="attendance.conformance", allow_null=True)
    adherence = serializers.SerializerMethodField()

    def get_adherence(self, row) -> float | None:
        return row["adherence"].ratio if row["adherence"] else None


class AttendanceApi(APIView):
    """A team's attendance and adherence for a day."""

    permission_classes = [IsLead]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AttendanceInput"

        team = id_field()
        day = day_field()

    @extend_schema(parameters=[InputSerializer], responses=AttendanceRowOutput(many=True))
    def get(self, request):
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        team = access.readable_teams(request.user).filter(pk=data.validated_data["team"]).first()
        if team is None:
            raise DomainError(_("Choose a team you manage."), field="team")
        sheet = selectors.attendance_day(team=team, day=data.validated_data["day"])
        return Response(AttendanceRowOutput(sheet["rows"], many=True).data)


# --- briefings ------------------------------------------------------------------------------------


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
            raise _not_found()
        read = services.briefing_mark_read(briefing=briefing, agent=_own_agent(request))
        return Response({"read_at": read.read_at})
