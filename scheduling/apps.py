from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_permissions(sender, **kwargs) -> None:
    # The role groups are synced when `agents` migrates, before this app's permissions exist;
    # sync again once they do, so administrators and supervisors reach scheduling in the admin.
    from agents.roles import sync_role_permissions

    sync_role_permissions()


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Shifts and handovers"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_permissions, sender=self)
