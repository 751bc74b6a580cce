import os

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Telephony and live floor"

    def ready(self) -> None:
        from django.conf import settings

        # The listeners; and the report side's tasks and admin, which live beside the
        # modules Celery's and the admin's autodiscovery look for.
        from metrics import (  # noqa: F401
            report_admin,
            report_tasks,
        )
        from metrics.board import push, tasks
        from metrics.board.signals import floor_changed
        from metrics.telephony import receivers  # noqa: F401

        floor_changed.connect(tasks.on_floor_changed, dispatch_uid="metrics.push")
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and os.environ.get("CALLFLOOR_LOCAL_BEAT") == "1":
            push.LocalScheduler().start()
