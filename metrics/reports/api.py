"""Report API: the same reports as the pages, as JSON (thin views over `reports.history`)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.reports import access as report_access
from metrics.reports import history
from metrics.reports import selectors as report_selectors

RANGE_PARAMS = [
    OpenApiParameter("start", str, description="first local day, YYYY-MM-DD"),
    OpenApiParameter("end", str, description="last local day, YYYY-MM-DD (inclusive)"),
    OpenApiParameter(
        "grain", str, enum=list(history.GRAINS), description="15/30/60 min, day, week or month"
    ),
]
QUEUE_PARAM = OpenApiParameter("queue", int, description="one queue (default: every queue)")

ReportOutput = inline_serializer(
    "Report",
    {
        "kind": serializers.CharField(),
        "title": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "grain": serializers.CharField(),
        "time_zone": serializers.CharField(),
        "sl_definition": serializers.CharField(),
        "columns": serializers.ListField(child=serializers.DictField()),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)


def as_json(report: history.Report) -> dict:
    return {
        "kind": report.kind,
        "title": report.title,
        "start": report.range.start,
        "end": report.range.end,
        "grain": report.range.grain,
        "time_zone": report.zone,
        "sl_definition": report.sl_definition,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns],
        "rows": report.rows,
    }


def _span(request) -> history.ReportRange:
    params = request.query_params
    return history.ReportRange.parse(
        start=params.get("start"), end=params.get("end"), grain=params.get("grain") or "day"
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class QueueReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[*RANGE_PARAMS, QUEUE_PARAM], responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=request.query_params.get("queue"))
        return Response(as_json(history.queue_report(queues=queues, span=_span(request))))


class SiteReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        return Response(as_json(history.site_report(span=_span(request))))


class AbandonedReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[*RANGE_PARAMS, QUEUE_PARAM], responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=request.query_params.get("queue"))
        return Response(as_json(history.abandoned_report(queues=queues, span=_span(request))))


class AgentReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request, agent_id: int):
        agent = report_selectors.report_agent(user=request.user, agent_id=agent_id)
        return Response(as_json(history.agent_report(agent=agent, span=_span(request))))


class TeamReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request, team_id: int):
        team = report_selectors.report_team(user=request.user, team_id=team_id)
        return Response(as_json(history.team_report(team=team, span=_span(request))))


# -- post-call surveys in the telephony events batch -----------------------------------------

SURVEY_TYPE = "call_surveyed"


class SurveyEventInput(serializers.Serializer):
    """A post-call survey answer sent in a telephony events batch."""

    id = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=[SURVEY_TYPE])
    at = serializers.DateTimeField(help_text=gettext_lazy("when the customer answered"))
    call_id = serializers.CharField(max_length=100)
    score = serializers.IntegerField(
        help_text=gettext_lazy("on the site's survey scale (default 1–5)")
    )
    resolved = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy('the answer to "was your issue resolved?"'),
    )


def is_survey(raw) -> bool:
    return isinstance(raw, dict) and raw.get("type") == SURVEY_TYPE


def surveys_ingest(*, source, items: dict[int, dict]) -> dict[int, tuple[str, str]]:
    """Record the survey items of a batch: index → (accepted | duplicate | rejected, reason)."""
    from callfloor.errors import DomainError
    from metrics.reports.services import survey_record

    results: dict[int, tuple[str, str]] = {}
    for index, raw in items.items():
        item = SurveyEventInput(data=raw)
        if not item.is_valid():
            results[index] = (
                "rejected",
                "; ".join(
                    f"{field}: {' '.join(str(m) for m in messages)}"
                    for field, messages in item.errors.items()
                ),
            )
            continue
        data = item.validated_data
        try:
            _, new = survey_record(
                source=source,
                call_id=data["call_id"],
                score=data["score"],
                resolved=data["resolved"],
                answered_at=data["at"],
            )
        except DomainError as error:
            results[index] = ("rejected", f"{error.field}: {error.message}")
            continue
        results[index] = ("accepted", "") if new else ("duplicate", "already received")
    return results
