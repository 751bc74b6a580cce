import os

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
        from django.conf import settings

        from metrics import push, receivers  # noqa: F401 - connects the listeners
        from metrics.signals import floor_changed

        post_migrate.connect(_grant_role_permissions, sender=self,
                             dispatch_uid="metrics_grant_role_permissions")
        floor_changed.connect(push.on_floor_changed, dispatch_uid="metrics.push")
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and os.environ.get("CALLFLOOR_LOCAL_BEAT") == "1":
            push.LocalScheduler().start()
