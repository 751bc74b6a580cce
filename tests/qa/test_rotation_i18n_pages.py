"""The rotation, peer review and recognition pages read in Chinese for every role."""

import pytest

from tests.i18n.pages import walk
from tests.qa.test_rotation_permissions import MATRIX, matrix_world  # noqa: F401 (the fixture)

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_read_in_chinese(matrix_world, role, language):  # noqa: F811 (the imported fixture)
    problems = walk(matrix_world, MATRIX, role, language)
    assert not problems, "\n".join(problems)
