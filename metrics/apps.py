from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = gettext_lazy("Telephony and live floor")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from agents.models import Team

        # The listeners; and the tasks and admin of the sub-packages, which the modules
        # Celery's and the admin's autodiscovery look for (metrics.tasks, metrics.admin) import.
        from metrics import admin, tasks  # noqa: F401
        from metrics.alerts.tasks import on_floor_pushed
        from metrics.board import push
        from metrics.board.signals import floor_changed, floor_pushed
        from metrics.board.snapshot import (
            register_agent_source,
            register_alert_source,
            register_tile_source,
        )
        from metrics.board.tasks import on_floor_changed, on_floor_model_changed
        from metrics.control.board import control_agent_fields
        from metrics.models import Queue
        from metrics.telephony import receivers  # noqa: F401
        from metrics.telephony.ami.board import ami_link_floor_alerts, ami_stale_tiles
        from metrics.telephony.silence import source_silent_floor_alerts

        floor_changed.connect(on_floor_changed, dispatch_uid="metrics.push")
        for model in (Queue, Team):  # the kept floors hold their rows: rebuilt when they change
            uid = f"metrics.push.{model._meta.model_name}"
            post_save.connect(on_floor_model_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(on_floor_model_changed, sender=model, dispatch_uid=uid)
        floor_pushed.connect(on_floor_pushed, dispatch_uid="metrics.alerts")
        register_alert_source(source_silent_floor_alerts, sections=("telephony",))
        register_agent_source(control_agent_fields, per_agent=True)
        register_alert_source(ami_link_floor_alerts)
        register_tile_source(ami_stale_tiles)
        # Embedded mode has no Celery beat: the web process beats itself (make demo sets this).
        if settings.EMBEDDED and settings.CALLFLOOR_LOCAL_BEAT:
            push.LocalScheduler().start()
