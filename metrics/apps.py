from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _grant_role_permissions(sender, **kwargs) -> None:
    # The role groups are synced after the agents app migrates, before this app's model
    # permissions exist; sync again once they do.
    from agents.roles import sync_role_permissions

    sync_role_permissions()


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Telephony and live floor"

    def ready(self) -> None:
        # The listeners; and the report side's tasks and admin, which live beside the
        # modules Celery's and the admin's autodiscovery look for.
        from metrics import (  # noqa: F401
            receivers,
            report_admin,
            report_tasks,
        )

        post_migrate.connect(_grant_role_permissions, sender=self,
                             dispatch_uid="metrics_grant_role_permissions")
