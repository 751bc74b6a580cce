"""API of emergency plans: the plans a person may read, starting one, its checklist, drills."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.emergency import services
from metrics.emergency.access import (
    CanActivate,
    CanTickSteps,
    IsOnTheFloor,
    readable_plans,
)
from metrics.emergency.models import Activation, ActivationStep, EmergencyPlan, PlanTrigger


class IdOutput(serializers.Serializer):
    class Meta:
        ref_name = "EmergencyIdOutput"

    id = serializers.IntegerField()


class PlanListApi(APIView):
    """The plans of the library the caller may read (those that concern them)."""

    permission_classes = [IsOnTheFloor]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmergencyPlanOutput"

        id = serializers.IntegerField()
        title = serializers.CharField()
        trigger = serializers.ChoiceField(choices=PlanTrigger.choices)
        broadcast_text = serializers.CharField()
        active = serializers.BooleanField()
        steps = serializers.SerializerMethodField()

        def get_steps(self, plan) -> list[str]:
            from metrics.emergency.selectors import step_label

            return [step_label(step) for step in plan.steps.all()]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        plans = readable_plans(request.user).prefetch_related("steps__agent", "steps__queue")
        return Response(self.OutputSerializer(plans, many=True).data)


class ActivationStartApi(APIView):
    """A supervisor starts a plan now, for real or as a drill (refused while it runs)."""

    permission_classes = [CanActivate]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmergencyStartInput"

        drill = serializers.BooleanField(default=False)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request, plan_id: int):
        plan = get_object_or_404(EmergencyPlan, pk=plan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activation = services.activation_start(actor=request.user, plan=plan, **data.validated_data)
        return Response({"id": activation.pk}, status=status.HTTP_201_CREATED)


class DrillScheduleApi(APIView):
    """Put a drill of a plan on the calendar; boards show it as upcoming."""

    permission_classes = [CanActivate]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "DrillScheduleInput"

        scheduled_for = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request, plan_id: int):
        plan = get_object_or_404(EmergencyPlan, pk=plan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activation = services.drill_schedule(actor=request.user, plan=plan, **data.validated_data)
        return Response({"id": activation.pk}, status=status.HTTP_201_CREATED)


class DrillStartApi(APIView):
    """Start a scheduled drill now."""

    permission_classes = [CanActivate]

    @extend_schema(request=None, responses=IdOutput)
    def post(self, request, activation_id: int):
        activation = get_object_or_404(Activation.objects.select_related("plan"), pk=activation_id)
        services.drill_start(actor=request.user, activation=activation)
        return Response({"id": activation.pk})


class StepTickApi(APIView):
    """Tick a step of a running plan (`done: false` takes the tick back)."""

    permission_classes = [CanTickSteps]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmergencyStepInput"

        done = serializers.BooleanField(default=True)

    @extend_schema(request=InputSerializer, responses=IdOutput)
    def post(self, request, activation_id: int, step_id: int):
        step = get_object_or_404(
            ActivationStep.objects.select_related("activation"),
            pk=step_id,
            activation=activation_id,
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["done"]:
            services.activation_step_tick(actor=request.user, step=step)
        else:
            services.activation_step_untick(actor=request.user, step=step)
        return Response({"id": step.pk})


class NoteApi(APIView):
    """Write a note in a running plan's timeline."""

    permission_classes = [CanTickSteps]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmergencyNoteInput"

        text = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={201: IdOutput})
    def post(self, request, activation_id: int):
        activation = get_object_or_404(Activation, pk=activation_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.activation_note_add(
            actor=request.user, activation=activation, **data.validated_data
        )
        return Response({"id": activation.pk}, status=status.HTTP_201_CREATED)


class CloseApi(APIView):
    """Close a running plan with its after-action note."""

    permission_classes = [CanActivate]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmergencyCloseInput"

        note = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses=IdOutput)
    def post(self, request, activation_id: int):
        activation = get_object_or_404(Activation, pk=activation_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.activation_close(actor=request.user, activation=activation, **data.validated_data)
        return Response({"id": activation.pk})


class AttendanceApi(APIView):
    """Mark someone as taking part in a drill (`present: false` takes them off)."""

    permission_classes = [CanActivate]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "DrillAttendanceInput"

        person = serializers.PrimaryKeyRelatedField(
            queryset=get_user_model().objects.filter(is_active=True)
        )
        present = serializers.BooleanField(default=True)

    @extend_schema(request=InputSerializer, responses=IdOutput)
    def post(self, request, activation_id: int):
        activation = get_object_or_404(Activation, pk=activation_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = data.validated_data["person"]
        if data.validated_data["present"]:
            services.drill_attendance_mark(actor=request.user, activation=activation, person=person)
        else:
            services.drill_attendance_unmark(
                actor=request.user, activation=activation, person=person
            )
        return Response({"id": activation.pk})
