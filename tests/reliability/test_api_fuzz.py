"""Hostile API input: every operation of /api/schema/, as every role, with bodies built from
the schema and then broken (wrong types, nulls, huge and odd strings, missing and extra fields).

No request may answer 5xx; every 4xx carries the documented error shape; and an agent's answers
never carry another agent's data (ann never sees bob's evaluation, complaint, calls or name).
Each request runs in a savepoint rolled back afterwards, so operations do not feed each other.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from tests.permissions import ROLES, user_for
from tests.qa.conftest import make_call, released_evaluation

pytestmark = pytest.mark.django_db
BODIES_PER_OPERATION = 8
SEED = 20261123
# What ann (agent) must never read: bob's employee number, aliases, name, his complaint's customer.
BOB_MARKERS = ["E2005", "PJSIP/2005", "Local/2005@", "Bob Agent", "Zed Hidden", "+15550009999"]
STATS: Counter = Counter()

ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "null",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "ﷺ" * 50,
    "9" * 400,
    "x" * 5000,
    "2026-13-45T99:99:99Z",
    "-1",
    "1e309",
    "NaN",
    "{{7*7}}",
    "%s%s%n",
    "🙂" * 30,
]
ODD_VALUES = [
    None,
    True,
    -1,
    0,
    2**63,
    -(2**63),
    1.5e308,
    [],
    {},
    [None],
    {"a": {"b": {}}},
    *ODD_STRINGS,
]


def _resolve(schema: dict, spec: dict, depth: int = 0) -> dict:
    while "$ref" in schema and depth < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
        depth += 1
    return schema


def plausible(schema: dict, spec: dict, rng: random.Random, depth: int = 0):
    """A value of the schema's shape (not necessarily one the business rules accept)."""
    schema = _resolve(schema, spec)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            return plausible(rng.choice(schema[key]), spec, rng, depth + 1)
    if "enum" in schema:
        choices = [v for v in schema["enum"] if v is not None] or [None]
        return rng.choice(choices)
    kind = schema.get("type", "object")
    fmt = schema.get("format", "")
    if depth > 4:
        return None
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: plausible(sub, spec, rng, depth + 1)
            for name, sub in props.items()
            if not sub.get("readOnly")
        }
    if kind == "array":
        return [
            plausible(schema.get("items", {}), spec, rng, depth + 1)
            for _ in range(rng.randint(0, 3))
        ]
    if kind == "integer":
        return rng.choice([1, 2, 3, 0, schema.get("minimum", 1)])
    if kind == "number":
        return rng.choice([0.5, 1, 30, 99.9])
    if kind == "boolean":
        return rng.choice([True, False])
    if fmt == "date-time":
        return "2026-03-02T09:00:00Z"
    if fmt == "date":
        return "2026-03-02"
    if fmt == "time":
        return "09:00:00"
    return rng.choice(["billing", "PJSIP/2004", "Lunch", "text", "ann"])


def broken(body, rng: random.Random):
    """The plausible body with one to three fields replaced by hostile values."""
    if not isinstance(body, dict) or not body or rng.random() < 0.15:
        return rng.choice([[], "text", 7, None, {"unexpected": "field"}, [body]])
    body = dict(body)
    for name in rng.sample(sorted(body), k=min(len(body), rng.randint(1, 3))):
        body[name] = rng.choice(ODD_VALUES)
    if rng.random() < 0.3:
        body["__proto__"] = {"admin": True}
    return body


@pytest.fixture(scope="module")
def spec(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(CALLFLOOR_PUBLIC_API_DOCS=True):
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def bob_data(cast):
    """Bob's released evaluation and a complaint about his call: ann must never read them."""
    from qa.complaints import services as complaints
    from qa.complaints.models import Category
    from tests.qa.conftest import world as make_world

    world = make_world.__wrapped__(cast)
    make_call(world, cast.bob_agent, call_id="2002")
    world.bob_call.caller = "+15550009999"
    world.bob_call.save(update_fields=["caller"])
    evaluation = released_evaluation(world, cast.bob_agent, call=world.bob_call, greeting=0)
    case = complaints.complaint_create(
        actor=cast.tom,
        customer_name="Zed Hidden",
        customer_contact="+15550009999",
        category=Category.objects.create(name="Billing error"),
        description="About Bob Agent.",
        calls=[world.bob_call],
    )
    return {
        "evaluation_id": evaluation.pk,
        "complaint_id": case.pk,
        "case_id": case.pk,
        "agent_id": cast.bob_agent.pk,
        "team_id": cast.cards.pk,
    }


def operations(spec: dict):
    for path, item in sorted(spec["paths"].items()):
        for method, op in sorted(item.items()):
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def _path_values(op: dict, bob: dict, rng: random.Random) -> dict:
    values = {}
    for parameter in op.get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            values[name] = rng.choice([bob.get(name, 1), bob.get(name, 2), 1, 999_999, 2**31 - 1])
    return values


def _query(op: dict, spec: dict, rng: random.Random) -> dict:
    query = {}
    for parameter in op.get("parameters", []):
        if parameter["in"] == "query" and rng.random() < 0.7:
            value = plausible(parameter.get("schema", {}), spec, rng)
            query[parameter["name"]] = rng.choice(ODD_STRINGS) if rng.random() < 0.5 else value
    return {k: v for k, v in query.items() if v is not None and not isinstance(v, dict | list)}


def _body_schema(op: dict) -> dict | None:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return content["application/json"].get("schema", {})
    return None


def _check(response, role: str, where: str, failures: list[str]) -> None:
    status = response.status_code
    STATS[f"status {status // 100}xx"] += 1
    if status >= 500:
        failures.append(f"{where} as {role}: {status} {response.content[:200]!r}")
        return
    content_type = response.get("Content-Type", "")
    if status >= 400 and status != 405:
        if not content_type.startswith("application/json"):
            failures.append(f"{where} as {role}: {status} is not JSON ({content_type})")
            return
        body = response.json()
        if not (
            isinstance(body, dict)
            and isinstance(body.get("error"), dict)
            and {"code", "message"} <= set(body["error"])
        ):
            failures.append(f"{where} as {role}: {status} without the error shape: {body!r:.200}")
    if status < 300 and content_type.startswith("application/json"):
        text = response.content.decode()
        seen = [marker for marker in BOB_MARKERS if marker in text]
        if seen and role == "agent":
            failures.append(f"{where} as ann: leaks {seen}")
        STATS[f"bob seen as {role}"] += bool(seen)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_survives_hostile_input(spec, cast, bob_data, role):
    rng = random.Random(f"{SEED}-{role}")
    user = user_for(cast, role)
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    failures: list[str] = []
    for path, method, op in operations(spec):
        schema = _body_schema(op)
        for attempt in range(BODIES_PER_OPERATION if method != "get" else 2):
            values = _path_values(op, bob_data, rng)
            url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m.group(1)]), path)
            if method == "get" or method == "delete":
                args = (url, _query(op, spec, rng))
                kwargs = {}
            else:
                body = plausible(schema, spec, rng) if schema else {}
                if attempt:
                    body = broken(body, rng)
                args = (url, body)
                kwargs = {"format": "json"}
            with transaction.atomic():
                response = getattr(client, method)(*args, **kwargs)
                transaction.set_rollback(True)
            STATS["requests"] += 1
            _check(response, role, f"{method.upper()} {url}", failures)
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
    if role in {"supervisor", "admin"}:  # the markers are real data those roles do read
        assert STATS[f"bob seen as {role}"] > 0
    print(f"api fuzz as {role}: {dict(STATS)}")
