from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy, ngettext

from agents import services
from agents.models import Agent, AuditEntry, Notification, Team, TelephonyAlias


class AliasInline(admin.TabularInline):
    model = TelephonyAlias
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "employee_number", "team", "active"]
    list_filter = ["team", "active"]
    search_fields = ["display_name", "employee_number", "user__username", "aliases__name"]
    inlines = [AliasInline]


@admin.register(TelephonyAlias)
class TelephonyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "agent"]
    search_fields = ["name", "agent__display_name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail can be read, never written, here as everywhere."""

    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CallfloorUserAdmin(UserAdmin):
    """Django's user admin, plus requiring a password change (audited)."""

    actions = ["require_password_change"]

    @admin.action(
        description=gettext_lazy("Require a password change at next log-in"),
        permissions=["change"],
    )
    def require_password_change(self, request, queryset):
        required = sum(
            services.user_require_password_change(user=user, actor=request.user)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d person must change their password before they continue.",
                "%(count)d people must change their password before they continue.",
                required,
            )
            % {"count": required},
        )
