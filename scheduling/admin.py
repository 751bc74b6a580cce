from django.contrib import admin

# State machines change only through their services (conditional updates + audit rows).
from agents.services import audit_record
from callfloor.admin_readonly import ReadOnlyAdmin
from scheduling.models import (
    Briefing,
    Handover,
    HandoverAddendum,
    HandoverCase,
    LeaveRequest,
    Shift,
    ShiftActivity,
    Skill,
    SwapRequest,
)


class HandoverCaseInline(admin.TabularInline):
    model = HandoverCase
    extra = 0
    fields = ["customer_ref", "severity", "owner", "outcome", "outcome_note", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class HandoverAddendumInline(admin.TabularInline):
    model = HandoverAddendum
    extra = 0
    readonly_fields = ["author", "text", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = [
        "shift_date",
        "shift_name",
        "author",
        "to_lead",
        "supervisor",
        "status",
        "ack_due_at",
        "acknowledged_at",
    ]
    list_filter = ["status", "team"]
    inlines = [HandoverCaseInline, HandoverAddendumInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "requester", "colleague", "status", "created_at", "decided_by"]
    list_filter = ["status"]


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdmin):
    list_display = ["agent", "first_day", "last_day", "kind", "status", "decided_by"]
    list_filter = ["status"]


class ShiftActivityInline(admin.TabularInline):
    model = ShiftActivity
    extra = 0


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["agent", "start", "end", "published_at"]
    list_filter = ["agent__team"]
    search_fields = ["agent__display_name", "agent__employee_number"]
    date_hierarchy = "start"
    inlines = [ShiftActivityInline]
    # Publishing is the week's publication (audited, agents notified), not a field to set.
    readonly_fields = ["published_at"]

    # An unpublished shift may be fixed here; each save or deletion writes its audit row,
    # as creating one through the schedule does.
    @staticmethod
    def _snapshot(shift: Shift) -> dict:
        return {
            "agent": shift.agent_id,
            "start": shift.start.isoformat(),
            "end": shift.end.isoformat(),
            "activities": [
                [a.kind, a.start.isoformat(), a.end.isoformat()]
                for a in ShiftActivity.objects.filter(shift=shift).order_by("start", "id")
            ],
        }

    def save_model(self, request, obj, form, change):
        if change:  # the stored shift: the form has already put the new values on `obj`
            obj._audit_before = self._snapshot(Shift.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        shift = form.instance
        after = self._snapshot(shift)
        if not change:
            audit_record(actor=request.user, action="shift.created", target=shift, data=after)
            return
        before = shift._audit_before
        changed = [key for key in after if before[key] != after[key]]
        if changed:
            audit_record(
                actor=request.user,
                action="shift.changed",
                target=shift,
                data={
                    "before": {key: before[key] for key in changed},
                    "after": {key: after[key] for key in changed},
                },
            )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user, action="shift.deleted", target=obj, data=self._snapshot(obj)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for shift in queryset:
            audit_record(
                actor=request.user, action="shift.deleted", target=shift, data=self._snapshot(shift)
            )
        super().delete_queryset(request, queryset)

    # A published shift is the agent's schedule: it changes only by an audited swap or leave.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["agent", "queue"]
    list_filter = ["queue", "agent__team"]
    search_fields = ["agent__display_name"]

    # A skill decides which queues' calls an agent takes and which shifts count towards a
    # queue's staffing: each addition, change and removal here writes its audit row.
    @staticmethod
    def _snapshot(skill: Skill) -> dict:
        return {"agent": skill.agent_id, "queue": skill.queue.name}

    def save_model(self, request, obj, form, change):
        before = (
            self._snapshot(Skill.objects.select_related("queue").get(pk=obj.pk)) if change else None
        )
        super().save_model(request, obj, form, change)
        after = self._snapshot(obj)
        if not change:
            audit_record(actor=request.user, action="skill.added", target=obj, data=after)
        elif before != after:
            audit_record(
                actor=request.user,
                action="skill.changed",
                target=obj,
                data={"before": before, "after": after},
            )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Skill.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for skill in queryset.select_related("queue"):
            audit_record(
                actor=request.user, action="skill.removed", target=skill, data=self._snapshot(skill)
            )
        super().delete_queryset(request, queryset)


@admin.register(Briefing)
class BriefingAdmin(ReadOnlyAdmin):
    list_display = ["team", "kind", "held_at", "author"]
    list_filter = ["team", "kind"]


import scheduling.training.admin  # noqa: E402, F401  (training courses)
