from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Complaints and escalations: service-quality work, so it lives inside qa/."""

    name = "qa.complaints"
    label = "complaints"
    verbose_name = "Complaints and escalations"

    def ready(self) -> None:
        from metrics.floor import register_alert_source
        from qa.complaints.floor import live_escalation_floor_alerts

        register_alert_source(live_escalation_floor_alerts)
