"""Every page of every demo role reads in Chinese: no interface text left in English."""

import pytest

from tests.agents.test_permissions import MATRIX as AGENT_PAGES
from tests.i18n.pages import walk
from tests.metrics.board.test_permissions import MATRIX as BOARD_PAGES
from tests.metrics.reports.test_report_permissions import MATRIX as REPORT_PAGES
from tests.metrics.test_permissions import MATRIX as METRICS_PAGES

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]
LANGUAGES = ["zh-hans", "zh-hant"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_floor_report_and_inbox_pages_read_in_chinese(cast, role, language):
    matrix = AGENT_PAGES + METRICS_PAGES + BOARD_PAGES + REPORT_PAGES
    problems = walk(cast, matrix, role, language)
    assert not problems, "\n".join(problems)
