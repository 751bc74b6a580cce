"""Fixtures borrowed from the apps whose failures these tests provoke."""

from tests.metrics.board.conftest import source  # noqa: F401 - fixture
from tests.qa.complaints.conftest import floor, new_case  # noqa: F401 - fixtures
