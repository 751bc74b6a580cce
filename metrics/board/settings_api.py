"""The board's settings panel API: read the settings one may change, change one queue's or the
site's (each change validated, audited and pushed to every board; see floor_settings)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from metrics.board import floor_settings
from metrics.board.snapshot import default_site, viewer_for
from metrics.models import Queue, SLVariant

IsFloorManager = HasRole.of(Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)


class QueueSettingsOutput(serializers.Serializer):
    class Meta:
        ref_name = "BoardQueueSettings"

    id = serializers.IntegerField()
    name = serializers.CharField()
    editable = serializers.BooleanField()
    sl_variant = serializers.ChoiceField(choices=SLVariant.choices)
    sl_target = serializers.FloatField()
    sl_red = serializers.FloatField()
    sl_threshold_s = serializers.IntegerField()
    short_abandon_s = serializers.IntegerField()
    wait_amber_s = serializers.IntegerField()
    wait_red_s = serializers.IntegerField()


class SiteSettingsOutput(serializers.Serializer):
    class Meta:
        ref_name = "BoardSiteSettings"

    long_call_s = serializers.IntegerField()
    long_wrap_up_s = serializers.IntegerField()
    break_allowances = serializers.DictField(child=serializers.IntegerField())
    team_leads_edit_queues = serializers.BooleanField()


def _queue_out(queue: Queue, editable: bool) -> dict:
    return {"id": queue.pk, "name": queue.name, "editable": editable} | (
        floor_settings.queue_settings(queue)
    )


class BoardSettingsApi(APIView):
    """The settings of the board the caller may see, and which of them they may change."""

    permission_classes = [IsFloorManager]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BoardSettings"

        site = serializers.CharField()
        can_edit_site = serializers.BooleanField()
        thresholds = SiteSettingsOutput()
        sl_variants = serializers.ListField(child=serializers.DictField())
        queues = QueueSettingsOutput(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        site = default_site()
        viewer = viewer_for(request.user)
        queues = Queue.objects.filter(site=site)
        if viewer is not None and not viewer.everything and viewer.queue_ids is not None:
            queues = queues.filter(pk__in=viewer.queue_ids)
        editable = floor_settings.editable_queue_ids(request.user, site)
        return Response(
            {
                "site": site,
                "can_edit_site": floor_settings.can_edit_site(request.user),
                "thresholds": floor_settings.site_thresholds(
                    floor_settings.floor_settings_of(site)
                ),
                "sl_variants": [
                    {"value": value, "label": str(label)} for value, label in SLVariant.choices
                ],
                "queues": [_queue_out(q, editable is None or q.pk in editable) for q in queues],
            }
        )


class QueueSettingsApi(APIView):
    """Change some of a queue's settings (only the fields sent)."""

    permission_classes = [IsFloorManager]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BoardQueueSettingsInput"

        sl_variant = serializers.ChoiceField(choices=SLVariant.choices, required=False)
        sl_target = serializers.FloatField(required=False)
        sl_red = serializers.FloatField(required=False)
        sl_threshold_s = serializers.IntegerField(required=False)
        short_abandon_s = serializers.IntegerField(required=False)
        wait_amber_s = serializers.IntegerField(required=False)
        wait_red_s = serializers.IntegerField(required=False)

    @extend_schema(request=InputSerializer, responses=QueueSettingsOutput)
    def patch(self, request, queue_id: int):
        queue = get_object_or_404(Queue, pk=queue_id)
        if not floor_settings.can_edit_queue(request.user, queue):
            raise PermissionDenied(_("You may change the settings of your own teams' queues only."))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue = floor_settings.queue_settings_update(
            actor=request.user, queue=queue, changes=dict(data.validated_data)
        )
        return Response(_queue_out(queue, True))


class SiteSettingsApi(APIView):
    """Change the site's alert thresholds (supervisors and admins)."""

    permission_classes = [HasRole.of(Role.SUPERVISOR, Role.ADMIN)]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BoardSiteSettingsInput"

        long_call_s = serializers.IntegerField(required=False, allow_null=True)
        long_wrap_up_s = serializers.IntegerField(required=False, allow_null=True)
        break_allowances = serializers.DictField(child=serializers.IntegerField(), required=False)
        team_leads_edit_queues = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses=SiteSettingsOutput)
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = floor_settings.floor_settings_update(
            actor=request.user, site=default_site(), changes=dict(data.validated_data)
        )
        return Response(floor_settings.site_thresholds(row))
