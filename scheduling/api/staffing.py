"""Staffing and attendance API: the agents a queue needs per interval, and a team's day sheet."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callfloor.errors import DomainError
from callfloor.query import day_field, id_field
from scheduling import access, selectors
from scheduling.api.common import IsLead


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
