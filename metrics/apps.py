from django.apps import AppConfig


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
