from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from qa import services
from qa.models import (
    Appeal,
    AppealItem,
    CalibrationScore,
    CalibrationSession,
    Criterion,
    Evaluation,
    GreatCall,
    PanelMember,
    PanelOpinion,
    QaSettings,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
    ScoreRevision,
    Section,
    VersionStatus,
)
from qa.moments.models import Moment


@admin.register(QaSettings)
class QaSettingsAdmin(admin.ModelAdmin):
    """The one settings row: changed through its service, so every change is audited."""

    list_display = [
        "appeal_window_days",
        "screening_days",
        "panel_days",
        "transparency",
        "hide_evaluator_names",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.qa_settings_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
        )


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """Draft scorecard versions may be edited here; a released version never changes."""

    list_display = ["title", "version", "weight", "position"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.version.is_released:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.version.is_released:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = ScorecardVersion.objects.filter(status=VersionStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    """Versions are made by creating or copying a scorecard (audited); released ones are fixed."""

    list_display = ["scorecard", "number", "status", "released_at"]
    readonly_fields = ["scorecard", "number", "status", "released_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_released:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_released:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(SamplingRule)
class SamplingRuleAdmin(ReadOnlyAdmin):
    """Read-only: rules change only through their services (a published rule never)."""

    list_display = ["name", "period_start", "period_end", "status", "seed_hash"]
    exclude = ["seed"]


@admin.register(SampledCall)
class SampledCallAdmin(ReadOnlyAdmin):
    list_display = ["rule", "agent", "position", "status", "key"]
    list_filter = ["status"]


class ScoreRevisionInline(ReadOnlyInline):
    model = ScoreRevision
    fields = ["number", "score", "reason", "appeal", "created_by", "created_at", "acknowledged_at"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["id", "agent", "evaluator", "status", "score", "released_at"]
    list_filter = ["status"]
    inlines = [ScoreRevisionInline]


class AppealItemInline(ReadOnlyInline):
    model = AppealItem


class PanelInline(ReadOnlyInline):
    model = PanelMember


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["id", "agent", "evaluation", "status", "filed_at", "due_at"]
    list_filter = ["status"]
    inlines = [AppealItemInline, PanelInline]


@admin.register(PanelOpinion)
class PanelOpinionAdmin(ReadOnlyAdmin):
    list_display = ["item", "member", "opinion", "points", "at"]


class CalibrationScoreInline(ReadOnlyInline):
    model = CalibrationScore


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "scorecard_version", "status", "created_at", "closed_at"]
    list_filter = ["status"]
    inlines = [CalibrationScoreInline]


@admin.register(GreatCall)
class GreatCallAdmin(ReadOnlyAdmin):
    list_display = ["agent", "status", "anonymous", "nominated_at", "featured_at"]
    list_filter = ["status"]


@admin.register(Moment)
class MomentAdmin(ReadOnlyAdmin):
    """Read-only: moments are pinned, cited and highlighted through their services."""

    list_display = ["kind", "at_ms", "evaluation", "appeal_item", "great_call", "author"]
    list_filter = ["kind"]


import qa.coaching.admin  # noqa: E402, F401  (coaching sessions)
from qa.quizzes import admin as quizzes_admin  # noqa: E402, F401
from qa.rotation import admin as _rotation_admin  # noqa: E402, F401
