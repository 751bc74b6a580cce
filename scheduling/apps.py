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
