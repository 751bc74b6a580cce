"""Fixtures borrowed from the apps whose pages these tests open."""

from tests.complaints.conftest import floor, new_case  # noqa: F401 - fixtures
