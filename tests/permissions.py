"""The permission matrix: every endpoint × every role (and anonymous).

Each app's `tests/<app>/test_permissions.py` defines `MATRIX: list[Case]` and runs it with
`check_case`; `tests/test_endpoint_coverage.py` fails when a URL has no case anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse

ROLES = ["anonymous", "agent", "team_lead", "qa_analyst", "supervisor", "admin"]
CSP_HEADER = "Content-Security-Policy"


@dataclass
class Case:
    url_name: str
    method: str = "get"
    # Expected status per role; missing roles take `default`.
    expect: dict[str, int] = field(default_factory=dict)
    default: int | None = None
    kwargs: dict | Callable[[Any], dict] = field(default_factory=dict)
    data: dict | Callable[[Any], dict] | None = None
    api: bool = True

    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}"

    def expected(self, role: str) -> int:
        if role in self.expect:
            return self.expect[role]
        if self.default is None:
            raise AssertionError(f"{self.id()}: no expectation for {role}")
        return self.default


def user_for(cast, role: str):
    return None if role == "anonymous" else cast.by_role[role]


def check_case(case: Case, cast, role: str) -> None:
    """Make the request as `role` inside a savepoint that is rolled back afterwards."""
    from django.test import Client
    from rest_framework.test import APIClient

    client = APIClient() if case.api else Client()
    user = user_for(cast, role)
    if user is not None:
        client.force_login(user)
    kwargs = case.kwargs(cast) if callable(case.kwargs) else case.kwargs
    data = case.data(cast) if callable(case.data) else case.data
    url = reverse(case.url_name, kwargs=kwargs)
    with transaction.atomic():
        if case.api:
            response = getattr(client, case.method)(url, data, format="json")
        else:
            response = getattr(client, case.method)(url, data or {})
        transaction.set_rollback(True)
    expected = case.expected(role)
    assert response.status_code == expected, (
        f"{case.id()} as {role}: expected {expected}, got {response.status_code}: "
        f"{getattr(response, 'content', b'')[:300]!r}"
    )
    # Every answer, whatever its status, carries the page policy (see tests/test_csp.py).
    assert "default-src 'self'" in response.get(CSP_HEADER, ""), f"{case.id()} as {role}: no CSP"
    if (
        case.api
        and response.status_code >= 400
        and response.get("Content-Type", "").startswith("application/json")
    ):
        body = response.json()
        assert "error" in body and {"code", "message"} <= set(body["error"]), body


def cases_by_role(matrix: list[Case]) -> list[tuple[Case, str]]:
    return [(case, role) for case in matrix for role in ROLES]
