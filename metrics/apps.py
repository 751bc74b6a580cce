import os

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Telephony and live floor"

    def ready(self) -> None:
        from django.conf import settings

        from metrics import push, receivers  # noqa: F401 - connects the listeners
        from metrics.signals import floor_changed

        floor_changed.connect(push.on_floor_changed, dispatch_uid="metrics.push")
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and os.environ.get("CALLFLOOR_LOCAL_BEAT") == "1":
            push.LocalScheduler().start()
