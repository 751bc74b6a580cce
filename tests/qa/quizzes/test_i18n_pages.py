"""Every monthly-test page of every role reads in Chinese: no interface text left in English."""

import pytest

from tests.i18n.pages import walk
from tests.qa.quizzes.test_permissions import MATRIX, quiz_world  # noqa: F401 (the fixture)

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_read_in_chinese(quiz_world, role, language):  # noqa: F811 (the imported fixture)
    problems = walk(quiz_world, MATRIX, role, language)
    assert not problems, "\n".join(problems)
