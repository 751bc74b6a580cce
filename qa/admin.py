from django.contrib import admin

from qa.models import (
    Appeal,
    AppealItem,
    CalibrationSession,
    Criterion,
    Evaluation,
    GreatCall,
    PanelMember,
    QaSettings,
    SamplingRule,
    ScorecardVersion,
    Section,
)


@admin.register(QaSettings)
class QaSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "appeal_window_days",
        "screening_days",
        "panel_days",
        "transparency",
        "hide_evaluator_names",
    ]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "weight", "position"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        # A released scorecard version never changes.
        if obj is not None and obj.version.is_released:
            return False
        return super().has_change_permission(request, obj)


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    list_display = ["scorecard", "number", "status", "released_at"]
    readonly_fields = ["status", "released_at"]


@admin.register(SamplingRule)
class SamplingRuleAdmin(admin.ModelAdmin):
    """Read-only: rules change only through their services (a published rule never)."""

    list_display = ["name", "period_start", "period_end", "status", "seed_hash"]
    exclude = ["seed"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class AppealItemInline(admin.TabularInline):
    model = AppealItem
    extra = 0
    can_delete = False


class PanelInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    can_delete = False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["id", "agent", "evaluation", "status", "filed_at", "due_at"]
    list_filter = ["status"]
    inlines = [AppealItemInline, PanelInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["id", "agent", "evaluator", "status", "score", "released_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(CalibrationSession)
admin.site.register(GreatCall)
