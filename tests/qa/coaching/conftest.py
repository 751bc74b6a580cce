"""Coaching fixtures: the quality world (tests/qa/conftest.py) and a decided appeal of ann's."""

from tests.qa.conftest import ann_evaluation, world  # noqa: F401
