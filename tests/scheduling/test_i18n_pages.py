"""Every scheduling page of every demo role reads in Chinese: no interface text left in English."""

import pytest

from tests.i18n.pages import walk
from tests.scheduling.test_permissions import MATRIX, world  # noqa: F401 (the fixture)

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_read_in_chinese(world, role, language):  # noqa: F811 (the imported fixture)
    problems = walk(world, MATRIX, role, language)
    assert not problems, "\n".join(problems)
