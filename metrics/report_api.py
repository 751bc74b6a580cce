"""Report API: the same reports as the pages, as JSON (thin views over `metrics.reports`)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics import report_access, report_selectors, reports

RANGE_PARAMS = [
    OpenApiParameter("start", str, description="first local day, YYYY-MM-DD"),
    OpenApiParameter("end", str, description="last local day, YYYY-MM-DD (inclusive)"),
    OpenApiParameter("grain", str, enum=list(reports.GRAINS), description="15/30/60 min, "
                     "day, week or month"),
]
QUEUE_PARAM = OpenApiParameter("queue", int, description="one queue (default: every queue)")

ReportOutput = inline_serializer("Report", {
    "kind": serializers.CharField(),
    "title": serializers.CharField(),
    "start": serializers.DateField(),
    "end": serializers.DateField(),
    "grain": serializers.CharField(),
    "time_zone": serializers.CharField(),
    "sl_definition": serializers.CharField(),
    "columns": serializers.ListField(child=serializers.DictField()),
    "rows": serializers.ListField(child=serializers.DictField()),
})


def as_json(report: reports.Report) -> dict:
    return {
        "kind": report.kind, "title": report.title, "start": report.range.start,
        "end": report.range.end, "grain": report.range.grain, "time_zone": report.zone,
        "sl_definition": report.sl_definition,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns],
        "rows": report.rows,
    }


def _span(request) -> reports.ReportRange:
    params = request.query_params
    return reports.ReportRange.parse(start=params.get("start"), end=params.get("end"),
                                     grain=params.get("grain") or "day")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class QueueReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[*RANGE_PARAMS, QUEUE_PARAM], responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=request.query_params.get("queue"))
        return Response(as_json(reports.queue_report(queues=queues, span=_span(request))))


class SiteReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        return Response(as_json(reports.site_report(span=_span(request))))


class AbandonedReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[*RANGE_PARAMS, QUEUE_PARAM], responses=ReportOutput)
    def get(self, request):
        _require(report_access.can_see_all_reports(request.user))
        queues = report_selectors.report_queues(queue_param=request.query_params.get("queue"))
        return Response(as_json(reports.abandoned_report(queues=queues, span=_span(request))))


class AgentReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request, agent_id: int):
        agent = report_selectors.report_agent(user=request.user, agent_id=agent_id)
        return Response(as_json(reports.agent_report(agent=agent, span=_span(request))))


class TeamReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMS, responses=ReportOutput)
    def get(self, request, team_id: int):
        team = report_selectors.report_team(user=request.user, team_id=team_id)
        return Response(as_json(reports.team_report(team=team, span=_span(request))))
