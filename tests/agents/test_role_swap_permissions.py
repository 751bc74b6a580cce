"""Role swaps: every endpoint × every role (and anonymous). Only supervisors and admins grant
and end swaps; everyone signed in reads their own.

The world: a swap planned for tomorrow lends Bob QA analyst rights.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.permissions import ROLES, Case, check_case

MANAGERS = {"supervisor": 302, "admin": 302, "anonymous": 302}


def _local(days: int) -> str:
    from callfloor.zone import site_zone

    return timezone.localtime(timezone.now() + timedelta(days=days), site_zone()).strftime(
        "%Y-%m-%dT%H:%M"
    )


def _iso(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


MATRIX = [
    Case("role-swaps", api=False, expect={"anonymous": 302}, default=200),
    Case(
        "role-swaps",
        method="post",
        api=False,
        data=lambda w: {"agent_as_analyst": w.ann.pk, "starts_at": _local(3), "ends_at": _local(4)},
        expect=MANAGERS,
        default=403,
    ),
    Case(
        "role-swap-end",
        method="post",
        api=False,
        kwargs=lambda w: {"swap_id": w.swap.pk},
        expect=MANAGERS,
        default=403,
    ),
    Case("api-role-swap-list", expect={"anonymous": 403}, default=200),
    Case(
        "api-role-swap-list",
        method="post",
        data=lambda w: {"agent_as_analyst": "ann", "starts_at": _iso(3), "ends_at": _iso(4)},
        expect={"supervisor": 201, "admin": 201},
        default=403,
    ),
    Case(
        "api-role-swap-end",
        method="post",
        kwargs=lambda w: {"swap_id": w.swap.pk},
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
]


@pytest.fixture
def matrix_world(cast):
    from agents.swaps import services

    w = SimpleNamespace(**vars(cast))
    w.swap = services.role_swap_grant(
        actor=cast.sam, agent_as_analyst=cast.bob, starts_at=_dt(1), ends_at=_dt(2)
    )
    return w


def _dt(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(matrix_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, matrix_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)
