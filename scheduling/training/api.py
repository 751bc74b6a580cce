"""Training API: courses, sessions, materials, invitations, assignment, check-in, attendance."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.models import Agent, Team
from qa.api.common import name_input_components
from scheduling.api.common import User, not_found
from scheduling.training import access, selectors, services
from scheduling.training.models import (
    TrainingAttendance,
    TrainingCourse,
    TrainingKind,
    TrainingMaterial,
    TrainingSession,
)

IsPlanner = HasRole.of(*access.PLANNERS)


class SessionOutput(serializers.ModelSerializer):
    trainer = serializers.CharField(source="trainer.username", default=None, allow_null=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "starts_at", "ends_at", "place", "link", "trainer"]


class MaterialOutput(serializers.ModelSerializer):
    class Meta:
        model = TrainingMaterial
        fields = ["id", "title", "url", "added_at"]


class CourseOutput(serializers.ModelSerializer):
    sessions = SessionOutput(many=True, read_only=True)
    materials = MaterialOutput(many=True, read_only=True)
    invited = serializers.SerializerMethodField()

    class Meta:
        model = TrainingCourse
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "team",
            "due_by",
            "created_at",
            "sessions",
            "materials",
            "invited",
        ]

    def get_invited(self, obj) -> list[int]:
        user = self.context["request"].user
        return [i.agent_id for i in selectors.visible_invites(user, obj)]


class AttendanceOutput(serializers.ModelSerializer):
    class Meta:
        model = TrainingAttendance
        fields = ["id", "session", "agent", "present", "how", "recorded_at"]


def _course_for(request, course_id: int) -> TrainingCourse:
    course = get_object_or_404(TrainingCourse.objects.select_related("team"), pk=course_id)
    if not access.can_view_course(request.user, course):
        raise not_found()
    return course


def _session_for(request, session_id: int) -> TrainingSession:
    session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=session_id)
    if not access.can_view_course(request.user, session.course):
        raise not_found()
    return session


def _course(request, course) -> Response:
    return Response(CourseOutput(course, context={"request": request}).data)


class CourseListApi(APIView):
    """The courses the caller sees; team leads, supervisors and admins create one with POST."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=TrainingKind.choices, default=TrainingKind.OTHER)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    def get_permissions(self):
        return [IsPlanner()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=CourseOutput(many=True))
    def get(self, request):
        courses = selectors.courses_visible_to(request.user).prefetch_related(
            "sessions__trainer", "materials"
        )
        return Response(CourseOutput(courses[:200], many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: CourseOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.training_course_create(actor=request.user, **data.validated_data)
        return Response(
            CourseOutput(course, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class CourseDetailApi(APIView):
    @extend_schema(responses=CourseOutput)
    def get(self, request, course_id: int):
        return _course(request, _course_for(request, course_id))


class SessionAddApi(APIView):
    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        place = serializers.CharField(required=False, allow_blank=True, default="")
        link = serializers.CharField(required=False, allow_blank=True, default="")
        trainer = serializers.SlugRelatedField(
            slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
        )

    @extend_schema(request=InputSerializer, responses={201: SessionOutput})
    def post(self, request, course_id: int):
        course = _course_for(request, course_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.training_session_add(
            actor=request.user, course=course, **data.validated_data
        )
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)


class MaterialAddApi(APIView):
    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        url = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={201: MaterialOutput})
    def post(self, request, course_id: int):
        course = _course_for(request, course_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.training_material_add(
            actor=request.user, course=course, **data.validated_data
        )
        return Response(MaterialOutput(material).data, status=status.HTTP_201_CREATED)


class InviteApi(APIView):
    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        agents = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.select_related("team", "user"), many=True, required=False
        )
        team = serializers.PrimaryKeyRelatedField(
            queryset=Team.objects.all(), required=False, allow_null=True
        )

    @extend_schema(request=InputSerializer, responses=CourseOutput)
    def post(self, request, course_id: int):
        course = _course_for(request, course_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.training_invite(actor=request.user, course=course, **data.validated_data)
        return _course(request, course)


class AssignApi(APIView):
    permission_classes = [IsPlanner]

    class InputSerializer(serializers.Serializer):
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
        due_by = serializers.DateField()

    @extend_schema(request=InputSerializer, responses=CourseOutput)
    def post(self, request, course_id: int):
        course = _course_for(request, course_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.training_assign(actor=request.user, course=course, **data.validated_data)
        return _course(request, course)


class CheckInApi(APIView):
    """The invited agent checks in from 15 minutes before the session until it ends."""

    @extend_schema(request=None, responses=AttendanceOutput)
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        row = services.training_check_in(session=session, user=request.user)
        return Response(AttendanceOutput(row).data)


class AttendanceMarkApi(APIView):
    """The trainer or the agent's team lead marks an invited agent present or absent."""

    class InputSerializer(serializers.Serializer):
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.select_related("team"))
        present = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=AttendanceOutput)
    def post(self, request, session_id: int):
        session = _session_for(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.training_mark_attendance(
            actor=request.user, session=session, **data.validated_data
        )
        return Response(AttendanceOutput(row).data)


name_input_components(globals())
