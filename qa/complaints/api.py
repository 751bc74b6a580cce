"""Complaint API: thin views over selectors and services (one view per operation)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, readable_agents_q
from callfloor.errors import DomainError
from callfloor.query import day_field
from metrics.models import QueueCall
from qa.complaints import access, reports, selectors, services
from qa.complaints.models import (
    CallbackOutcome,
    Category,
    Channel,
    Complaint,
    LiveEscalation,
    RootCause,
    Severity,
    Status,
    Tier,
)

CanLog = HasRole.of(*access.LOGGING_ROLES)
CanSeeQueue = HasRole.of(*access.QUEUE_ROLES)
CanTakeOver = HasRole.of(*access.TAKEOVER_ROLES)


class TimerOutput(serializers.Serializer):
    level = serializers.CharField()
    budget_s = serializers.FloatField()
    used_s = serializers.FloatField()
    left_s = serializers.FloatField()
    due_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField()
    paused = serializers.BooleanField()
    stopped = serializers.BooleanField()


class CustomerOutput(serializers.Serializer):
    name = serializers.CharField()
    contact = serializers.CharField()
    masked = serializers.BooleanField()


class TimersOutput(serializers.Serializer):
    acknowledge = TimerOutput()
    resolve = TimerOutput()


def _timer_dict(state) -> dict:
    return {
        "level": state.level.value,
        "budget_s": state.budget_s,
        "used_s": state.used_s,
        "left_s": state.left_s,
        "due_at": state.due_at,
        "breached": state.breached,
        "paused": state.paused,
        "stopped": state.stopped,
    }


class ComplaintOutput(serializers.ModelSerializer):
    """A case; the customer's details are masked unless the caller works the case."""

    reference = serializers.CharField()
    customer = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.name")
    owner = serializers.CharField(source="owner.username")
    tier_name = serializers.CharField(source="get_tier_display")
    queue = serializers.CharField(source="queue.name", default=None, allow_null=True)
    agent = serializers.CharField(source="agent.display_name", default=None, allow_null=True)
    calls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    root_cause = serializers.CharField(source="root_cause.name", default=None, allow_null=True)
    timers = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "customer",
            "channel",
            "calls",
            "queue",
            "agent",
            "category",
            "severity",
            "description",
            "owner",
            "tier",
            "tier_name",
            "status",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            "resolution",
            "waiting_on_customer",
            "callback_at",
            "round",
            "closed_at",
            "root_cause",
            "corrective_action",
            "timers",
        ]

    @extend_schema_field(CustomerOutput)
    def get_customer(self, obj) -> dict:
        return access.customer_of(self.context["request"].user, obj)

    @extend_schema_field(TimersOutput)
    def get_timers(self, obj) -> dict:
        state = selectors.complaint_timers(obj, calendar=self.context.get("calendar"))
        return {
            "acknowledge": _timer_dict(state.acknowledge),
            "resolve": _timer_dict(state.resolve),
        }


def _output(request, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
    complaint = selectors.complaint_get(user=request.user, pk=complaint.pk)
    return Response(ComplaintOutput(complaint, context={"request": request}).data, status=code)


class _CallsField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no call with id {pk_value}."),
        "incorrect_type": gettext_lazy("A call is given by its id (a number)."),
    }


class ComplaintCreateInput(serializers.Serializer):
    customer_name = serializers.CharField(max_length=150)
    customer_contact = serializers.CharField(max_length=150)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    category = serializers.IntegerField(
        help_text=gettext_lazy("The id of an active category (GET /api/complaints/categories/).")
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    description = serializers.CharField()
    calls = serializers.ListField(
        child=_CallsField(queryset=QueueCall.objects.all()), required=False, default=list
    )


class ComplaintListApi(ListAPIView):
    """Cases the caller may see (agents: their own); POST logs a new complaint."""

    serializer_class = ComplaintOutput

    def get_permissions(self):
        return [CanLog()] if self.request.method == "POST" else super().get_permissions()

    def get_serializer_context(self):
        # One business calendar for the whole page of cases.
        return {**super().get_serializer_context(), "calendar": selectors.business_calendar()}

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ComplaintListFilter"

        status = serializers.ChoiceField(choices=Status.choices, required=False)
        tier = serializers.ChoiceField(choices=Tier.choices, required=False)
        severity = serializers.ChoiceField(choices=Severity.choices, required=False)
        mine = serializers.BooleanField(
            required=False, default=False, help_text="only cases you own, logged or are about"
        )
        open = serializers.BooleanField(required=False, default=False, help_text="open cases")

    def get_queryset(self):
        query = self.FilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return selectors.complaint_list(
            user=self.request.user,
            status=params.get("status") or None,
            tier=params.get("tier"),
            severity=params.get("severity") or None,
            mine=params["mine"],
            open_only=params["open"],
        )

    InputSerializer = ComplaintCreateInput

    @extend_schema(parameters=[FilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: ComplaintOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_create(actor=request.user, **data.validated_data)
        return _output(request, complaint, status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    @extend_schema(responses=ComplaintOutput)
    def get(self, request, complaint_id: int):
        complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
        return Response(ComplaintOutput(complaint, context={"request": request}).data)


class HistoryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    action = serializers.CharField()
    data = serializers.JSONField()


class ComplaintHistoryApi(APIView):
    """The case's full history: every state change, escalation, call-back and note."""

    @extend_schema(responses=HistoryOutput(many=True))
    def get(self, request, complaint_id: int):
        complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
        return Response(HistoryOutput(selectors.complaint_history(complaint), many=True).data)


class _CaseActionApi(APIView):
    """POST to a case: permission-checked fetch, validated input, one service call."""

    class InputSerializer(serializers.Serializer):
        pass

    may = staticmethod(access.can_work)

    def perform(self, complaint, user, data):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def post(self, request, complaint_id: int):
        complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
        if not self.may(request.user, complaint):
            raise PermissionDenied
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(complaint, request.user, data.validated_data)
        return _output(request, complaint)


def _action(
    name: str, service, input_fields: dict | None = None, may=access.can_work, doc: str = ""
):
    """One APIView class for one case operation."""
    input_class = type(f"{name}Input", (serializers.Serializer,), dict(input_fields or {}))

    def perform(self, complaint, user, data):
        service(complaint=complaint, actor=user, **data)

    # A function of its own per operation: the schema annotation is stored on the function.
    @extend_schema(request=input_class, responses=ComplaintOutput, description=doc)
    def post(self, request, complaint_id: int):
        return _CaseActionApi.post(self, request, complaint_id)

    return type(
        name,
        (_CaseActionApi,),
        {
            "InputSerializer": input_class,
            "perform": perform,
            "may": staticmethod(may),
            "post": post,
            "__doc__": doc,
            "__module__": __name__,
        },
    )


def _text(**kwargs):
    return serializers.CharField(allow_blank=True, **kwargs)


AcknowledgeApi = _action(
    "AcknowledgeApi",
    services.complaint_acknowledge,
    doc="Acknowledge a new case (stops the acknowledge timer).",
)
InvestigateApi = _action(
    "InvestigateApi",
    services.complaint_investigate,
    doc="Start (or resume after reopening) the investigation.",
)
ProposeResolutionApi = _action(
    "ProposeResolutionApi",
    services.complaint_propose_resolution,
    {"resolution": _text()},
    doc="Propose the resolution (stops the resolve timer).",
)
AwaitCallbackApi = _action(
    "AwaitCallbackApi",
    services.complaint_await_callback,
    {
        "callback_at": serializers.DateTimeField(
            help_text=gettext_lazy("When the customer is called back.")
        )
    },
    doc="The resolution is in place; schedule the call-back to the customer.",
)
RecordCallbackApi = _action(
    "RecordCallbackApi",
    services.complaint_record_callback,
    {
        "outcome": serializers.ChoiceField(choices=CallbackOutcome.choices),
        "note": _text(required=False, default=""),
    },
    doc="Record a call-back and its outcome; 'not_satisfied' reopens the case.",
)
CloseApi = _action(
    "CloseApi",
    services.complaint_close,
    {"root_cause": serializers.IntegerField(), "corrective_action": _text()},
    doc="Close the case: needs a satisfied call-back (or three unreachable attempts), a root "
    "cause and a corrective action.",
)
ReopenApi = _action(
    "ReopenApi",
    services.complaint_reopen,
    {"reason": _text()},
    may=access.can_reopen,
    doc="Reopen a closed case.",
)
PauseApi = _action(
    "PauseApi",
    services.complaint_pause,
    {"reason": _text()},
    doc="Wait on the customer: the timers stand still.",
)
ResumeApi = _action(
    "ResumeApi",
    services.complaint_resume,
    doc="Stop waiting on the customer: the timers run again.",
)
NoteApi = _action(
    "NoteApi",
    services.complaint_add_note,
    {"text": _text()},
    may=access.can_add_note,
    doc="Add a note to the case.",
)
ForwardApi = _action(
    "ForwardApi",
    services.complaint_forward,
    {"department": _text(), "note": _text(required=False, default="")},
    doc="Record that the case was forwarded to another department.",
)
EscalateApi = _action(
    "EscalateApi",
    services.complaint_escalate,
    {"reason": _text()},
    doc="Move the case up one tier and notify its new owner.",
)


class CategoryListApi(APIView):
    """The active complaint categories and root causes (for forms)."""

    @extend_schema(
        responses=inline_serializer(
            "ComplaintLists",
            {
                "categories": serializers.ListField(),
                "root_causes": serializers.ListField(),
                "severities": serializers.ListField(),
                "channels": serializers.ListField(),
                "tiers": serializers.ListField(),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "categories": list(Category.objects.filter(active=True).values("id", "name")),
                "root_causes": list(RootCause.objects.filter(active=True).values("id", "name")),
                "severities": Severity.values,
                "channels": Channel.values,
                "tiers": [{"id": t.value, "name": t.label} for t in Tier],
            }
        )


class LiveEscalationOutput(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.display_name", default=None, allow_null=True)
    queue = serializers.CharField(source="call.queue.name", default=None, allow_null=True)
    raised_by = serializers.CharField(source="raised_by.username")
    taken_by = serializers.CharField(source="taken_by.username", default=None, allow_null=True)

    class Meta:
        model = LiveEscalation
        fields = [
            "id",
            "site",
            "call",
            "queue",
            "agent",
            "raised_by",
            "reason",
            "raised_at",
            "status",
            "taken_by",
            "taken_at",
            "closed_at",
            "complaint",
        ]


class LiveEscalationRaiseInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300)
    call = _CallsField(
        queryset=QueueCall.objects.select_related("queue", "agent"), required=False, allow_null=True
    )


class LiveEscalationCloseInput(serializers.Serializer):
    complaint = serializers.IntegerField(required=False, allow_null=True)


class LiveEscalationListApi(APIView):
    """Open live escalations (team leads, supervisors); POST: a customer asks for a
    supervisor on a call in progress."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [CanLog()]
        return [CanTakeOver()]

    InputSerializer = LiveEscalationRaiseInput

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveEscalationFilter"

        site = serializers.SlugField(max_length=50, required=False, help_text="one site's")

    @extend_schema(parameters=[FilterSerializer], responses=LiveEscalationOutput(many=True))
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.live_escalations_open(query.validated_data.get("site") or None)
        return Response(LiveEscalationOutput(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: LiveEscalationOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        live = services.live_escalation_raise(actor=request.user, **data.validated_data)
        return Response(LiveEscalationOutput(live).data, status=status.HTTP_201_CREATED)


class LiveEscalationTakeApi(APIView):
    permission_classes = [CanTakeOver]

    @extend_schema(request=None, responses=LiveEscalationOutput)
    def post(self, request, live_id: int):
        live = get_object_or_404(LiveEscalation, pk=live_id)
        return Response(
            LiveEscalationOutput(services.live_escalation_take(live=live, actor=request.user)).data
        )


class LiveEscalationCloseApi(APIView):
    permission_classes = [CanTakeOver]

    InputSerializer = LiveEscalationCloseInput

    @extend_schema(request=InputSerializer, responses=LiveEscalationOutput)
    def post(self, request, live_id: int):
        live = get_object_or_404(LiveEscalation, pk=live_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = None
        if data.validated_data.get("complaint"):
            complaint = selectors.complaint_get(
                user=request.user, pk=data.validated_data["complaint"]
            )
        return Response(
            LiveEscalationOutput(
                services.live_escalation_close(live=live, actor=request.user, complaint=complaint)
            ).data
        )


class PeriodFilter(serializers.Serializer):
    class Meta:
        ref_name = "ComplaintReportPeriod"

    start = day_field(required=False, help_text="first day (default: twelve weeks ago)")
    end = day_field(required=False, help_text="last day (default: today)")


def parse_period(params) -> reports.Period:
    """The report period from `start`/`end` (YYYY-MM-DD); the last twelve weeks by default."""
    default = reports.Period.last_weeks()
    query = PeriodFilter(data={k: v for k, v in params.items() if k in ("start", "end") and v})
    if not query.is_valid():
        name, reasons = next(iter(query.errors.items()))
        raw = params.get(name)
        if reasons[0].code == "invalid":
            raise DomainError(
                _("%(raw)s is not a date (YYYY-MM-DD).") % {"raw": repr(raw)}, field=name
            )
        raise DomainError(str(reasons[0]), field=name)
    values = {
        name: query.validated_data.get(name, getattr(default, name)) for name in ("start", "end")
    }
    if values["end"] < values["start"]:
        raise DomainError(_("The period ends before it starts."), field="end")
    if (values["end"] - values["start"]).days > 3 * 366:
        raise DomainError(_("A report covers at most three years."), field="start")
    return reports.Period(**values)


class ReportApi(APIView):
    """Complaint reports for a period: each table as a list of rows."""

    permission_classes = [CanSeeQueue]

    @extend_schema(
        parameters=[PeriodFilter],
        responses=inline_serializer(
            "ComplaintReport",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "tables": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        period = parse_period(request.query_params)
        tables = reports.build(period, agents=readable_agents_q(request.user))
        return Response(
            {
                "start": period.start,
                "end": period.end,
                "tables": {k: reports.records(v) for k, v in tables.items()},
            }
        )
