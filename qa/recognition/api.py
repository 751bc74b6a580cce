"""Recognition API: the month's recognition, nominating a colleague, confirming."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.models import Agent
from agents.roles import Role
from qa.api.common import name_input_components
from qa.recognition import selectors, services
from qa.recognition.models import PeerNomination

HasAnyRole = HasRole.of(*Role.values)


class PeerNominationOutput(serializers.ModelSerializer):
    nominee_name = serializers.CharField(source="nominee.display_name")

    class Meta:
        model = PeerNomination
        fields = ["id", "nominee", "nominee_name", "month", "reason", "status", "confirmed_at"]


class RecognitionApi(APIView):
    """The month's recognition (`?month=YYYY-MM`): most featured agents, featured calls,
    confirmed nominations and, for leads and supervisors, the nominations to confirm."""

    permission_classes = [HasAnyRole]

    @extend_schema(
        responses=inline_serializer(
            "RecognitionOutput",
            {
                "month": serializers.DateField(),
                "most_featured": serializers.ListField(child=serializers.DictField()),
                "confirmed": PeerNominationOutput(many=True),
                "pending": PeerNominationOutput(many=True),
            },
        )
    )
    def get(self, request):
        r = selectors.recognition_of_month(
            month=selectors.month_from(request.GET.get("month")), user=request.user
        )
        return Response(
            {
                "month": r.month,
                "most_featured": [
                    {"agent": a.pk, "name": a.display_name, "featured": a.featured_count}
                    for a in r.most_featured
                ],
                "confirmed": PeerNominationOutput(r.confirmed, many=True).data,
                "pending": PeerNominationOutput(r.pending, many=True).data,
            }
        )


class NominationCreateApi(APIView):
    permission_classes = [HasRole.of(Role.AGENT)]

    class InputSerializer(serializers.Serializer):
        nominee = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
        reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: PeerNominationOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.peer_nomination_create(user=request.user, **data.validated_data)
        return Response(PeerNominationOutput(row).data, status=status.HTTP_201_CREATED)


class NominationConfirmApi(APIView):
    permission_classes = [HasRole.of(Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)]

    @extend_schema(request=None, responses=PeerNominationOutput)
    def post(self, request, nomination_id: int):
        row = services.peer_nomination_confirm(
            actor=request.user, nomination=get_object_or_404(PeerNomination, pk=nomination_id)
        )
        return Response(PeerNominationOutput(row).data)


name_input_components(globals())
