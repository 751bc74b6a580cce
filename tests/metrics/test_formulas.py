"""The named figure sets are the figures the formulas give, and every view picks from them."""

from metrics import formulas
from metrics.management.commands import queue_log_report
from metrics.reports import offline


def test_the_queue_figures_are_named_in_the_order_the_formulas_give_them():
    figures = formulas.queue_figures(
        formulas.Tally(), waiting=[3.0], threshold=20, variant="offered", components=["talk"]
    )
    assert tuple(figures) == formulas.QUEUE_FIGURES
    assert set(formulas.QUEUE_NUMBERS) == {
        name for name, value in figures.items() if not isinstance(value, dict | list)
    }


def test_the_agent_figures_are_named_in_the_order_the_formulas_give_them():
    figures = formulas.agent_figures(
        formulas.Tally(), missed=0, unreachable=0, components=["talk"], busy_s=1, idle_s=1
    )
    assert tuple(figures) == formulas.AGENT_FIGURES


def test_each_view_shows_figures_the_formulas_give():
    assert set(offline.INTERVAL_FIGURES) <= set(formulas.QUEUE_NUMBERS)
    assert set(queue_log_report.TABLE_QUEUE_FIGURES) <= set(formulas.QUEUE_NUMBERS)
    assert set(queue_log_report.TABLE_AGENT_FIGURES) <= set(formulas.AGENT_FIGURES)
