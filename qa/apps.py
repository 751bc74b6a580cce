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
                Column("qa_average", gettext_lazy("QA average"), "score"),
                Column("qa_evaluations", gettext_lazy("QA evaluations"), "count"),
            ],
            agent_report_qa,
        )
