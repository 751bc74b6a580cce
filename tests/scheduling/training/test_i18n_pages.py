"""Every training page of every role reads in Chinese: no interface text left in English."""

import pytest

from tests.i18n.pages import walk
from tests.scheduling.training.test_training_permissions import (  # noqa: F401 (the fixture)
    MATRIX,
    training_world,
)

ROLES = ["supervisor", "team_lead", "qa_analyst", "agent"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ROLES)
def test_training_pages_read_in_chinese(training_world, role, language):  # noqa: F811
    problems = walk(training_world, MATRIX, role, language)
    assert not problems, "\n".join(problems)
