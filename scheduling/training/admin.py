"""Training in the admin: read-only (courses change through their audited services)."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from scheduling.training.models import (
    TrainingAttendance,
    TrainingCourse,
    TrainingInvite,
    TrainingMaterial,
    TrainingSession,
)


class SessionInline(ReadOnlyInline):
    model = TrainingSession


class MaterialInline(ReadOnlyInline):
    model = TrainingMaterial


class InviteInline(ReadOnlyInline):
    model = TrainingInvite


@admin.register(TrainingCourse)
class TrainingCourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "team", "due_by", "created_by", "created_at"]
    list_filter = ["kind", "team"]
    inlines = [SessionInline, MaterialInline, InviteInline]


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "agent", "present", "how", "recorded_by", "recorded_at"]
    list_filter = ["present", "how"]
