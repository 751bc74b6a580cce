"""Report API: the same reports as the pages, as JSON (thin views over `reports.history`)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callfloor.db import reading_reports
from callfloor.query import day_field, id_field
from metrics.reports import access as report_access
from metrics.reports import agents as agent_reports
from metrics.reports import history
from metrics.reports import selectors as report_selectors

# The same words as the report pages.
DAY_MESSAGES = {"invalid": "Use a date like 2026-01-31."}


class RangeFilter(serializers.Serializer):
    """The range of a report (the page's parameters)."""

    start = day_field(
        required=False,
        error_messages=DAY_MESSAGES,
        help_text="first local day (default: six days ago)",
    )
    end = day_field(
        required=False,
        error_messages=DAY_MESSAGES,
        help_text="last local day, inclusive (default: today)",
    )
    grain = serializers.ChoiceField(
        choices=list(history.GRAINS),
        required=False,
        help_text="15/30/60 min, day, week or month (default: day)",
    )


class QueueRangeFilter(RangeFilter):
    queue = id_field(required=False, help_text="one queue (default: every queue)")


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


def _query(request, filters: type[RangeFilter] = RangeFilter) -> dict:
    query = filters(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _span(request) -> history.ReportRange:
    params = _query(request)
    days = {k: params[k].isoformat() if k in params else None for k in ("start", "end")}
    return history.ReportRange.parse(**days, grain=params.get("grain") or "day")


def _queue(request) -> str | None:
    queue = _query(request, QueueRangeFilter).get("queue")
    return None if queue is None else str(queue)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class QueueReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[QueueRangeFilter], responses=ReportOutput)
    @reading_reports()
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=_queue(request))
        return Response(as_json(history.queue_report(queues=queues, span=_span(request))))


class SiteReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RangeFilter], responses=ReportOutput)
    @reading_reports()
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        return Response(as_json(agent_reports.site_report(span=_span(request))))


class AbandonedReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[QueueRangeFilter], responses=ReportOutput)
    @reading_reports()
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=_queue(request))
        return Response(as_json(history.abandoned_report(queues=queues, span=_span(request))))


class AgentReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RangeFilter], responses=ReportOutput)
    @reading_reports()
    def get(self, request, agent_id: int):
        agent = report_selectors.report_agent(user=request.user, agent_id=agent_id)
        return Response(as_json(agent_reports.agent_report(agent=agent, span=_span(request))))


class TeamReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RangeFilter], responses=ReportOutput)
    @reading_reports()
    def get(self, request, team_id: int):
        team = report_selectors.report_team(user=request.user, team_id=team_id)
        return Response(as_json(agent_reports.team_report(team=team, span=_span(request))))


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
