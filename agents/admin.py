from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy, ngettext

from agents import services
from agents.models import Agent, AuditEntry, Notification, Team, TelephonyAlias
from callfloor.admin_readonly import ReadOnlyAdmin


class AliasInline(admin.TabularInline):
    """Saved through `agent_update` (see AgentAdmin.save_formset), never row by row."""

    model = TelephonyAlias
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]

    # The lead decides who reads the team's agents, the team who is in whose scope: a change
    # or a deletion (its agents are left without a team) here is audited.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = {name: form.cleaned_data.get(name) for name in form.changed_data}
        if "lead" in data:
            data["lead"] = data["lead"].username if data["lead"] else None
        if data or not change:
            services.audit_record(
                actor=request.user,
                action="team.updated" if change else "team.created",
                target=obj,
                data=data,
            )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Team.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for team in queryset:
            services.audit_record(
                actor=request.user,
                action="team.deleted",
                target=team,
                data={
                    "name": team.name,
                    "lead": team.lead.username if team.lead else None,
                    "agents": sorted(team.agents.values_list("pk", flat=True)),
                },
            )
        super().delete_queryset(request, queryset)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "employee_number", "team", "active"]
    list_filter = ["team", "active"]
    search_fields = ["display_name", "employee_number", "user__username", "aliases__name"]
    inlines = [AliasInline]

    # Changes go through `agent_update`, which writes the audit row (and hands telephony
    # history recorded under a new alias to the agent). The person a profile belongs to
    # decides whose evaluations they see: it is fixed once the profile exists, and a profile
    # with its history is deactivated, not deleted.
    AUDITED_FIELDS = ("display_name", "employee_number", "team", "active")

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            services.audit_record(
                actor=request.user,
                action="agent.created",
                target=obj,
                data={
                    "user": obj.user.username,
                    "employee_number": obj.employee_number,
                    "team": obj.team_id,
                },
            )
            return
        stored = Agent.objects.get(pk=obj.pk)
        services.agent_update(
            agent=stored,
            actor=request.user,
            **{
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in self.AUDITED_FIELDS
            },
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not TelephonyAlias:
            return super().save_formset(request, form, formset, change)
        deleted = set(formset.deleted_forms)
        names = [
            f.cleaned_data["name"]
            for f in formset.forms
            if f not in deleted and f.cleaned_data.get("name")
        ]
        services.agent_update(agent=form.instance, actor=request.user, aliases=names)
        # What the admin's own change log would list; the audit row has the aliases.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(TelephonyAlias)
class TelephonyAliasAdmin(ReadOnlyAdmin):
    """Aliases are edited on their agent's page, where the change is audited."""

    list_display = ["name", "agent"]
    search_fields = ["name", "agent__display_name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail can be read, never written, here as everywhere."""

    list_display = ["at", "actor", "description", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action"]

    @admin.display(description=gettext_lazy("what happened"))
    def description(self, obj) -> str:
        from callfloor.history import describe

        return describe(obj.action, obj.data)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Notifications come from the product's events; none is written in a person's name here."""

    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind"]


# --- people: roles and admin rights -------------------------------------------------------------
# Roles are group memberships; with the staff and superuser flags and direct permissions they
# decide what a person may see and do. No service changes them after `user_create`, so the
# user admin audits every change of them itself (who, before, after).


def _privileges(user) -> dict:
    if user.pk is None:
        return {}
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


class PrivilegeAuditMixin:
    """For the user admin: a change of roles, flags or permissions writes an audit row."""

    def save_model(self, request, obj, form, change):
        # Read from the database: the form has already set the new flags on `obj`.
        stored = type(obj).objects.get(pk=obj.pk) if change else None
        obj._privileges_before = _privileges(stored) if stored else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before, after = getattr(user, "_privileges_before", {}), _privileges(user)
        changed = sorted(key for key in after if before.get(key) != after[key])
        if not change:
            services.audit_record(
                actor=request.user, action="user.created", target=user, data=after
            )
        elif changed:
            services.audit_record(
                actor=request.user,
                action="user.privileges_changed",
                target=user,
                data={
                    "before": {key: before.get(key) for key in changed},
                    "after": {key: after[key] for key in changed},
                },
            )


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CallfloorUserAdmin(PrivilegeAuditMixin, UserAdmin):
    """Django's user admin: role and right changes audited; a password change can be required."""

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


# The roles are the product's five groups, and their admin permissions are set at every
# migration (`roles.sync_role_permissions`): a change made here would be undone silently at the
# next upgrade and would change what a whole role may do without an audit row. They are read
# here; who holds which role is changed on the person's page, where it is audited.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass


from agents.swaps import admin as _swaps_admin  # noqa: E402, F401
