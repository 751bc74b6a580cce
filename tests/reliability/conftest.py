"""Fixtures borrowed from the apps whose failures these tests provoke."""

from tests.complaints.conftest import floor, new_case  # noqa: F401 - fixtures
from tests.metrics.board.conftest import source  # noqa: F401 - fixture
