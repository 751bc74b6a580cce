"""API for people and teams: thin views over services and selectors."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agents import selectors, services
from agents.access import HasRole, can_see_agent, is_staff_role, roles_of
from agents.models import Agent, Notification, Team
from agents.roles import STAFF_ROLES, Role
from callfloor.errors import DomainError

IsStaff = HasRole.of(*STAFF_ROLES)
IsAdmin = HasRole.of(Role.ADMIN)


class TeamOutput(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.username", default=None, allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "name", "lead"]


class AgentOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", default=None, allow_null=True)
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Agent
        fields = [
            "id",
            "username",
            "employee_number",
            "display_name",
            "team",
            "team_name",
            "active",
            "aliases",
        ]

    def get_aliases(self, obj) -> list[str]:
        return [a.name for a in obj.aliases.all()]


class TeamListApi(ListAPIView):
    """Teams (staff); admins create them with POST."""

    permission_classes = [IsStaff]
    serializer_class = TeamOutput

    def get_queryset(self):
        return selectors.team_list()

    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "POST" else super().get_permissions()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TeamCreateInput"

        name = serializers.CharField(max_length=100)
        lead = serializers.SlugRelatedField(
            slug_field="username",
            queryset=get_user_model().objects.all(),
            required=False,
            allow_null=True,
        )

    @extend_schema(request=InputSerializer, responses={201: TeamOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(**data.validated_data)
        return Response(TeamOutput(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=TeamOutput)
    def get(self, request, team_id: int):
        return Response(TeamOutput(get_object_or_404(Team, pk=team_id)).data)


class _TeamField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no team with id {pk_value}."),
        "incorrect_type": gettext_lazy("A team is given by its id (a number)."),
    }


class AgentListApi(ListAPIView):
    """Agents: staff see everyone, an agent sees only themself; admins create with POST."""

    serializer_class = AgentOutput

    def get_queryset(self):
        return selectors.agent_list_visible_to(self.request.user)

    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "POST" else super().get_permissions()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AgentCreateInput"

        username = serializers.RegexField(r"^[\w.@+-]{1,150}$")
        display_name = serializers.CharField(max_length=150)
        employee_number = serializers.CharField(max_length=32)
        team = _TeamField(
            queryset=Team.objects.all(), allow_null=True, required=False, default=None
        )
        aliases = serializers.ListField(
            child=serializers.CharField(max_length=200), required=False, default=list
        )
        password = serializers.CharField(required=False, write_only=True, min_length=8)

    @extend_schema(request=InputSerializer, responses={201: AgentOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = services.agent_create(actor=request.user, **data.validated_data)
        return Response(AgentOutput(agent).data, status=status.HTTP_201_CREATED)


class AgentDetailApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=150, required=False)
        team = _TeamField(queryset=Team.objects.all(), allow_null=True, required=False)
        active = serializers.BooleanField(required=False)
        aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False)

    def _get(self, request, agent_id: int) -> Agent:
        agent = get_object_or_404(selectors.agent_list_visible_to(request.user), pk=agent_id)
        if not can_see_agent(request.user, agent):  # defence in depth; the selector filters too
            raise DomainError(_("Not found."), status_code=404, code="not_found")
        return agent

    @extend_schema(responses=AgentOutput)
    def get(self, request, agent_id: int):
        return Response(AgentOutput(self._get(request, agent_id)).data)

    @extend_schema(request=UpdateSerializer, responses=AgentOutput)
    def patch(self, request, agent_id: int):
        if not HasRole.of(Role.ADMIN)().has_permission(request, self):
            self.permission_denied(request)
        agent = self._get(request, agent_id)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "team" not in values:
            values["team"] = False
        services.agent_update(agent=agent, actor=request.user, **values)
        agent.refresh_from_db()
        return Response(
            AgentOutput(selectors.agent_list_visible_to(request.user).get(pk=agent.pk)).data
        )


class MeApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "roles": serializers.ListField(),
                "agent": AgentOutput(allow_null=True),
            },
        )
    )
    def get(self, request):
        agent = selectors.agent_list_visible_to(request.user).filter(user=request.user).first()
        return Response(
            {
                "username": request.user.username,
                "roles": sorted(roles_of(request.user)),
                "is_staff_role": is_staff_role(request.user),
                "agent": AgentOutput(agent).data if agent else None,
            }
        )


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at"]


class NotificationListApi(ListAPIView):
    """The caller's own notifications, newest first."""

    serializer_class = NotificationOutput

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)


class NotificationReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "NotificationReadInput"

        ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("Marked", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notification_mark_read(
            user=request.user, notification_ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})
