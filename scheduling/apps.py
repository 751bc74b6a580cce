from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = gettext_lazy("Shifts and handovers")

    def ready(self) -> None:
        from metrics.board.snapshot import (
            register_agent_source,
            register_alert_source,
            register_tile_source,
        )
        from scheduling.floor import (
            adherence_board,
            handover_unacknowledged_floor_alerts,
            required_now_tiles,
        )

        register_tile_source(required_now_tiles)
        register_agent_source(adherence_board)
        register_alert_source(handover_unacknowledged_floor_alerts)

        from metrics.reports.agents import register_agent_report_hook
        from metrics.reports.history import Column
        from scheduling.training.selectors import agent_report_training

        register_agent_report_hook(
            [
                Column("training_attended", gettext_lazy("Training sessions attended"), "count"),
                Column("training_absent", gettext_lazy("Training sessions missed"), "count"),
                Column("training_overdue", gettext_lazy("Training overdue"), "count"),
            ],
            agent_report_training,
        )
