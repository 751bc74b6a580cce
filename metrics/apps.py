from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = gettext_lazy("Telephony and live floor")

    def ready(self) -> None:
        from django.conf import settings

        # The listeners; and the tasks and admin of the sub-packages, which the modules
        # Celery's and the admin's autodiscovery look for (metrics.tasks, metrics.admin) import.
        from metrics import admin, tasks  # noqa: F401
        from metrics.board import push
        from metrics.board.signals import floor_changed
        from metrics.board.tasks import on_floor_changed
        from metrics.telephony import receivers  # noqa: F401

        floor_changed.connect(on_floor_changed, dispatch_uid="metrics.push")
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and settings.CALLFLOOR_LOCAL_BEAT:
            push.LocalScheduler().start()
