from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Telephony and live floor"

    def ready(self) -> None:
        # Celery's autodiscovery looks for `tasks`; the report tasks live beside it.
        from metrics import (
            receivers,  # noqa: F401 - connects the listeners
            report_tasks,  # noqa: F401
        )
