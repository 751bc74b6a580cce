from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ComplaintsConfig(AppConfig):
    """Complaints and escalations: service-quality work, so it lives inside qa/."""

    name = "qa.complaints"
    label = "complaints"
    verbose_name = gettext_lazy("Complaints and escalations")

    def ready(self) -> None:
        from metrics.board.snapshot import register_alert_source
        from metrics.reports.agents import register_agent_report_hook
        from metrics.reports.history import Column
        from qa.complaints.floor import complaint_due_floor_alerts, live_escalation_floor_alerts
        from qa.complaints.selectors import agent_report_complaints

        register_alert_source(live_escalation_floor_alerts)
        register_alert_source(complaint_due_floor_alerts)
        register_agent_report_hook(
            [Column("complaints", gettext_lazy("Complaints"), "count")], agent_report_complaints
        )
