"""The five roles of callfloor, kept as Django groups.

Authorisation in callfloor is by role (group membership) and by object rules in each app's
access helpers. The groups' model permissions only drive the Django admin: admins may change
everything there, supervisors may look.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy


class Role(TextChoices):
    AGENT = "agent", gettext_lazy("Agent")
    TEAM_LEAD = "team_lead", gettext_lazy("Team lead")
    QA_ANALYST = "qa_analyst", gettext_lazy("QA analyst")
    SUPERVISOR = "supervisor", gettext_lazy("Supervisor")
    ADMIN = "admin", gettext_lazy("Administrator")


STAFF_ROLES = (Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)

# The audit trail is never changed by anyone, so no role gets change/delete on it.
_READ_ONLY_MODELS = {("agents", "auditentry")}


def sync_role_permissions(sender=None, apps=None, **kwargs) -> None:
    """Give the admin group every permission and the supervisor group every view permission."""
    from django.contrib.auth.models import Group, Permission

    # Runs after every app's post_migrate (each app's permissions are created by then), so
    # apps migrated after `agents` are covered too.
    admin_group, _ = Group.objects.get_or_create(name=Role.ADMIN)
    supervisor_group, _ = Group.objects.get_or_create(name=Role.SUPERVISOR)
    everything = Permission.objects.select_related("content_type")
    allowed = [
        p
        for p in everything
        if (p.content_type.app_label, p.content_type.model) not in _READ_ONLY_MODELS
        or p.codename.startswith("view_")
    ]
    admin_group.permissions.set(allowed)
    supervisor_group.permissions.set([p for p in everything if p.codename.startswith("view_")])
