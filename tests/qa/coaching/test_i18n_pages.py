"""Every coaching page of every role reads in Chinese: no interface text left in English."""

import pytest

from tests.i18n.pages import walk
from tests.qa.coaching.test_coaching_permissions import MATRIX, coaching_world  # noqa: F401

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ROLES)
def test_coaching_pages_read_in_chinese(coaching_world, role, language):  # noqa: F811
    problems = walk(coaching_world, MATRIX, role, language)
    assert not problems, "\n".join(problems)
