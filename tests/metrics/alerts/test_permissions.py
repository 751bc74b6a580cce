"""Alert channels (admins) and rules (supervisors, team leads): every page × every role."""

import pytest

from tests.permissions import Case, cases_by_role, check_case

ADMIN_ONLY = {"admin": 200}
RULES = {"supervisor": 200, "team_lead": 200, "admin": 200}


def _channel(cast) -> dict:
    from metrics.alerts.models import AlertChannel

    row, _ = AlertChannel.objects.get_or_create(
        name="floor group", defaults={"kind": "email", "emails": "floor@example.com"}
    )
    return {"channel_id": row.pk}


def _rule(owner):
    def kwargs(cast) -> dict:
        from metrics.alerts.models import AlertRule

        user = getattr(cast, owner)
        row, _ = AlertRule.objects.get_or_create(
            name=f"rule of {user.username}", defaults={"kind": "queue_sl", "owner": user}
        )
        return {"rule_id": row.pk}

    return kwargs


MATRIX = [
    Case("alert-channels", api=False, expect={"anonymous": 302, **ADMIN_ONLY}, default=403),
    Case(
        "alert-channel",
        api=False,
        kwargs=_channel,
        expect={"anonymous": 302, **ADMIN_ONLY},
        default=403,
    ),
    Case(
        "alert-channel-test",
        method="post",
        api=False,
        kwargs=_channel,
        expect={"anonymous": 302, "admin": 302},
        default=403,
    ),
    Case(
        "alert-channel-delete",
        method="post",
        api=False,
        kwargs=_channel,
        expect={"anonymous": 302, "admin": 302},
        default=403,
    ),
    Case("alert-rules", api=False, expect={"anonymous": 302, **RULES}, default=403),
    # A supervisor's rule: supervisors and admins may delete it, not a team lead.
    Case(
        "alert-rule-delete",
        method="post",
        api=False,
        kwargs=_rule("sam"),
        expect={"anonymous": 302, "supervisor": 302, "admin": 302},
        default=403,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
