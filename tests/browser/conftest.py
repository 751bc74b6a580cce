"""Fixtures borrowed from the apps whose pages these tests open."""

from tests.qa.complaints.conftest import floor, new_case  # noqa: F401 - fixtures
