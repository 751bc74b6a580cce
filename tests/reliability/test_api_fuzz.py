"""Hostile API input: Schemathesis over every operation of the OpenAPI schema, as every role.

Schemathesis builds requests from the schema (path and query parameters and bodies, both fitting
the schema and deliberately breaking it) and sends them to the Django application through its
WSGI integration, logged in by session cookie as each role in turn (and anonymous).

No request may answer 5xx; a documented answer conforms to the schema; every 4xx is JSON with
the documented error shape; and an agent's answers never carry another agent's data (ann never
sees bob's evaluation, complaint, calls or name). Each request runs in a savepoint rolled back
afterwards, so requests do not feed each other. The run is deterministic (derandomized) and
bounded (EXAMPLES cases per operation, the first EVERY_ROLE of them sent as every role).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.permissions import ROLES, user_for
from tests.qa.conftest import make_call, released_evaluation

pytestmark = pytest.mark.django_db
# Cases per operation (fitting the schema, breaking it, or aimed at bob's objects). The first
# EVERY_ROLE of them go out as every role (and anonymous); the others as one logged-in role
# each, in turn, which keeps the run bounded (about 3,000 requests).
EXAMPLES = 10
EVERY_ROLE = 3
# What ann (agent) must never read: bob's employee number, aliases, name, his complaint's customer.
BOB_MARKERS = ["E2005", "PJSIP/2005", "Local/2005@", "Bob Agent", "Zed Hidden", "+15550009999"]


class SavepointApp:
    """The Django application as a WSGI callable, as the test client runs it.

    Django's test handler keeps the test's database connection open across requests (a bare
    WSGIHandler closes it when a request ends) and lets requests through without a CSRF token,
    as the test client does; each request runs in a savepoint that is rolled back."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        with transaction.atomic():
            response = self.handler(environ)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            transaction.set_rollback(True)
        headers = [*response.items()]
        headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [content]


def _openapi() -> dict:
    """The schema the product serves at /api/schema/, built in-process (whoever may read it)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))


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


def _session_cookies(cast) -> dict[str, dict[str, str]]:
    """Per role, the session cookie of that role's user (logged in as the test client does)."""
    cookies: dict[str, dict[str, str]] = {}
    for role in ROLES:
        user = user_for(cast, role)
        cookies[role] = {}
        if user is not None:
            client = Client()
            client.force_login(user)
            name = settings.SESSION_COOKIE_NAME
            cookies[role] = {name: client.cookies[name].value}
    return cookies


def _titles(error: BaseException) -> list[str]:
    """Per Schemathesis failure: its title, the first line of its detail and where."""
    failures = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
    titles = []
    for failure in failures:
        text = str(getattr(failure, "message", failure)).strip()
        where = next((line for line in text.splitlines() if line.startswith("Schema at")), "")
        titles.append(
            f"{getattr(failure, 'title', type(failure).__name__)}: "
            f"{text.splitlines()[0][:120] if text else ''} {where}".strip()
        )
    return titles


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _content_type(response) -> str:
    return (response.headers.get("content-type") or [""])[0]


def _error_shape(response, path: str) -> str | None:
    """What is wrong with a 4xx answer (None: JSON with the documented error shape)."""
    status = response.status_code
    if status < 400 or status == 405:
        return None
    if status == 404 and not _resolves(path):
        return None  # a path parameter of the wrong kind: a URL the product does not have
    content_type = _content_type(response)
    if not content_type.startswith("application/json"):
        return f"{status} is not JSON ({content_type})"
    body = response.json()
    if not (
        isinstance(body, dict)
        and isinstance(body.get("error"), dict)
        and {"code", "message"} <= set(body["error"])
    ):
        return f"{status} without the error shape"
    return None


def _leaks(response) -> list[str]:
    if response.status_code >= 300:
        return []
    if not _content_type(response).startswith("application/json"):
        return []
    text = response.content.decode(errors="replace")
    return [marker for marker in BOB_MARKERS if marker in text]


def _fuzz(operation, bob_data: dict, cookies: dict, stats: Counter, failures: dict) -> None:
    """EXAMPLES cases of one operation (fitting the schema, breaking it, and aimed at bob's
    objects by their ids); the first EVERY_ROLE sent as every role, the others as one each."""
    bob_path = {p.name: bob_data[p.name] for p in operation.path_parameters if p.name in bob_data}
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=bob_path),
    )

    sent = Counter()
    signed_in = [role for role in ROLES if role != "anonymous"]

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def send(case):
        where = f"{case.method} {case.formatted_path} {case.query or ''}"
        stats[case.meta.generation.mode.value] += 1
        n = sent["cases"]
        sent["cases"] += 1
        roles = ROLES if n < EVERY_ROLE else [signed_in[n % len(signed_in)]]
        for role in roles:
            response = case.call(cookies=cookies[role])
            stats["requests"] += 1
            stats[f"status {response.status_code // 100}xx"] += 1
            problems: list[str]
            try:
                case.validate_response(
                    response,
                    checks=[not_a_server_error, response_schema_conformance],
                )
            except (AssertionError, BaseExceptionGroup) as error:  # Schemathesis failures
                problems = _titles(error)
            else:
                problems = []
            if shape := _error_shape(response, case.formatted_path):
                problems.append(shape)
            seen = _leaks(response)
            stats[f"bob seen as {role}"] += bool(seen)
            if seen and role == "agent":
                problems.append(f"ann reads bob's data {seen}")
            for problem in problems:  # one example of each distinct failure, and who met it
                found = failures.setdefault(f"{operation.label}: {problem}", {"e.g.": where})
                found.setdefault("as", []).append(role)

    send()


# About 3,000 requests: a minute or two alone, several minutes on a loaded machine; the
# project's 300 s per test is too short for it.
@pytest.mark.timeout(1200)
def test_every_operation_survives_hostile_input_as_every_role(cast, bob_data):
    schema = schemathesis.openapi.from_dict(_openapi())
    schema.app = SavepointApp()
    cookies = _session_cookies(cast)
    stats: Counter = Counter()
    failures: dict[str, dict] = {}  # failure → an example request and the roles
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100  # every operation of the product, not a handful

    for operation in operations:
        _fuzz(operation, bob_data, cookies, stats, failures)
        stats["operations"] += 1

    print(f"api fuzz: {dict(stats)}")
    report = [
        f"{failure}\n    as {', '.join(sorted(set(seen['as'])))}, e.g. {seen['e.g.']}"
        for failure, seen in failures.items()
    ]
    assert not failures, "\n".join(report[:150]) + f"\n({len(failures)} distinct failures)"
    assert stats["operations"] == len(operations)
    assert stats["negative"] > 0 and stats["positive"] > 0
    for role in ("supervisor", "admin"):  # the markers are real data those roles do read
        assert stats[f"bob seen as {role}"] > 0
