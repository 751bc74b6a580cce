"""Shift API: the week's shifts, CSV import and publishing a week."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError, error_body
from callfloor.query import day_field, id_field
from scheduling import access, selectors, services
from scheduling.api.common import IsLead
from scheduling.models import (
    ActivityKind,
    Shift,
    ShiftActivity,
)


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
