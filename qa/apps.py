from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = gettext_lazy("Quality")

    def ready(self) -> None:
        from metrics.reports.history import Column, register_agent_report_hook
        from qa.selectors import agent_report_qa

        register_agent_report_hook(
            [
                Column("qa_average", "QA average", "score"),
                Column("qa_evaluations", "QA evaluations", "count"),
            ],
            agent_report_qa,
        )
