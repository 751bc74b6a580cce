from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = gettext_lazy("Quality")

    def ready(self) -> None:
        from metrics.reports.agents import register_agent_report_hook, register_agent_report_rows
        from metrics.reports.history import Column
        from qa.selectors import (
            agent_report_appeals,
            agent_report_qa,
            evaluator_report_appeals,
        )

        register_agent_report_hook(
            [
                Column("qa_average", gettext_lazy("QA average"), "score"),
                Column("qa_evaluations", gettext_lazy("QA evaluations"), "count"),
            ],
            agent_report_qa,
        )
        appeal_columns = [
            Column("appeals_filed", gettext_lazy("Appeals filed"), "count"),
            Column("appeals_upheld", gettext_lazy("Appeals upheld"), "count"),
            Column("appeals_partly_upheld", gettext_lazy("Appeals partly upheld"), "count"),
            Column("appeals_rejected", gettext_lazy("Appeals rejected"), "count"),
        ]
        register_agent_report_hook(appeal_columns, agent_report_appeals)
        # Appeal outcomes count for the evaluator too: a row per evaluator of these agents.
        register_agent_report_rows(gettext_lazy("Appeals per evaluator"), evaluator_report_appeals)
        from qa.quizzes.selectors import agent_report_tests

        register_agent_report_hook(
            [
                Column("tests_taken", gettext_lazy("Tests taken"), "count"),
                Column("test_average", gettext_lazy("Test average"), "score"),
            ],
            agent_report_tests,
        )
