import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = gettext_lazy("Telephony and live floor")

    def ready(self) -> None:
        from django.conf import settings

        # The listeners; and the report side's tasks and admin, which live beside the
        # modules Celery's and the admin's autodiscovery look for.
        from metrics import (  # noqa: F401
            push,
            receivers,
            report_admin,
            report_tasks,
        )
        from metrics.signals import floor_changed

        floor_changed.connect(push.on_floor_changed, dispatch_uid="metrics.push")
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and os.environ.get("CALLFLOOR_LOCAL_BEAT") == "1":
            push.LocalScheduler().start()
