"""Security review, as tests: CSRF on every unsafe session call, telephony tokens that only
ingest, a write-once audit trail, `check --deploy` clean in production settings, clean logs."""

from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from tests.permissions import ROLES, Case, user_for

REPO = Path(__file__).resolve().parents[2]
UNSAFE = {"post", "put", "patch", "delete"}


def all_matrices() -> list[Case]:
    cases = []
    for path in sorted((REPO / "tests").glob("**/test*permissions.py")):
        module = importlib.import_module(".".join(path.relative_to(REPO).with_suffix("").parts))
        cases += getattr(module, "MATRIX", [])
    return cases


def csrf_cases() -> list[tuple[Case, str]]:
    """Each unsafe call with the first role it lets past the permission check."""
    chosen = []
    for case in all_matrices():
        if case.method not in UNSAFE:
            continue
        for role in ROLES[1:]:
            if case.expected(role) not in {401, 403, 404, 405}:
                chosen.append((case, role))
                break
    return chosen


CSRF_CASES = csrf_cases()


def test_the_csrf_walk_covers_every_app():
    names = {case.url_name for case, _ in CSRF_CASES}
    assert len(CSRF_CASES) >= 40
    for marker in ("complaint", "evaluation", "swap", "handover", "agent", "floor"):
        assert any(marker in name for name in names), marker


class Stand_in:
    """The cast, plus any app fixture object the matrices name: CSRF is checked before an
    object is looked up, so id 1 stands for the objects the app fixtures would create."""

    pk = id = 1

    def __init__(self, real=None) -> None:
        self._real = real

    def __getattr__(self, name):
        found = getattr(self._real, name, None) if self._real is not None else None
        return found if found is not None else Stand_in()

    def __getitem__(self, key):
        return Stand_in()

    def __iter__(self):
        # A stand-in for a collection holds nothing (iterating through __getitem__ never ends).
        return iter(())

    def __str__(self) -> str:
        return "1"

    def isoformat(self) -> str:
        return "2026-03-02"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "role"), CSRF_CASES, ids=lambda v: getattr(v, "id", str)() if hasattr(v, "id") else v
)
def test_an_unsafe_session_call_without_the_csrf_token_is_refused(cast, case, role):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_for(cast, role))
    world = Stand_in(cast)
    try:
        kwargs = case.kwargs(world) if callable(case.kwargs) else case.kwargs
    except ObjectDoesNotExist:
        # A case whose URL names an object its own module's fixtures make: any id will do,
        # CSRF is refused before the object is looked up.
        (_, params), *_ = get_resolver().reverse_dict.getlist(case.url_name)[0][0]
        kwargs = dict.fromkeys(params, 1)
    kwargs = {
        key: value.pk if isinstance(value, Stand_in) else value for key, value in kwargs.items()
    }
    try:
        data = case.data(world) if callable(case.data) else case.data
        json.dumps(data)
    except (TypeError, ObjectDoesNotExist):
        # The body does not matter here: CSRF is checked before it is read. A case whose body
        # names objects of its own module's fixtures (queues by name) gets an empty one.
        data = {}
    url = reverse(case.url_name, kwargs=kwargs)
    with transaction.atomic():
        if case.api:
            response = getattr(client, case.method)(
                url, json.dumps(data or {}), content_type="application/json"
            )
        else:
            response = getattr(client, case.method)(url, data or {})
        transaction.set_rollback(True)
    assert response.status_code == 403, (case.id(), role, response.content[:200])
    if case.api and response.get("Content-Type", "").startswith("application/json"):
        assert "CSRF" in response.json()["error"]["message"]


@pytest.fixture
def source_token(db):
    from metrics.telephony.services import source_create

    return source_create(name="pbx1", kind="http_json", site="main")[1]


@pytest.mark.django_db
def test_a_telephony_token_opens_no_other_endpoint(source_token):
    with override_settings(CALLFLOOR_PUBLIC_API_DOCS=True):
        schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    tried = 0
    for path, item in schema["paths"].items():
        for method in set(item) & {"get", "post", "put", "patch", "delete"}:
            if item[method]["operationId"] == "telephony_events_ingest":
                continue
            url = path.replace("{", "").replace("}", "")
            url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
            for scheme in ("Bearer", "Token"):
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"{scheme} {source_token}")
                response = getattr(client, method)(url, {}, format="json")
                tried += 1
                assert response.status_code in {401, 403}, (
                    method,
                    url,
                    scheme,
                    response.status_code,
                )
    assert tried > 150


@pytest.mark.django_db
def test_the_audit_trail_cannot_be_edited_through_the_admin_or_the_model(cast):
    from agents.models import AuditEntry
    from agents.services import audit_record

    audit_record(actor=cast.sam, action="test.done", target=cast.ann_agent, data={"a": 1})
    entry = AuditEntry.objects.get(action="test.done")
    client = Client()
    client.force_login(cast.ada)
    base = "/admin/agents/auditentry/"
    assert client.get(base).status_code == 200  # readable
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "forged"}).status_code == 403
    change = client.post(f"{base}{entry.pk}/change/", {"action": "forged"})
    assert change.status_code in {200, 403}  # a read-only view at most
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    deleted = client.post(
        base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert deleted.status_code in {200, 302, 403}
    entry.refresh_from_db()
    assert entry.action == "test.done" and AuditEntry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with override_settings(CALLFLOOR_PUBLIC_API_DOCS=True):
        schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    audit_paths = [p for p, item in schema["paths"].items() if "audit" in p and set(item) & UNSAFE]
    assert audit_paths == []


def test_check_deploy_is_clean_in_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "CALLFLOOR_HTTPS", "SECURE_SSL_REDIRECT"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="callfloor.example",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security." not in output and "ERRORS" not in output, output
    assert "identical names" not in output, output  # no two schema components share a name
    from django.conf import settings  # and the defaults without DEBUG are the safe ones

    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; django.setup(); from django.conf import "
            "settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS)",
        ],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "callfloor.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.split() == ["True", "True", "True", "True", "DENY"], probe.stderr
    assert settings.SECURE_REDIRECT_EXEMPT == [r"^healthz$"]


@pytest.mark.django_db
def test_no_token_or_phone_number_reaches_the_logs(cast, caplog, capsys, source_token):
    from qa.complaints.models import Category

    caplog.set_level(logging.DEBUG)
    caller, contact = "+3225550101", "+44 20 7946 0958"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {source_token}")
    events = [
        {
            "id": "e1",
            "type": "call_queued",
            "at": "2026-03-02T09:00:00Z",
            "call_id": "c1",
            "queue": "billing",
            "caller": caller,
        },
        {
            "id": "e2",
            "type": "call_answered",
            "at": "2026-03-02T09:00:12Z",
            "call_id": "c1",
            "queue": "billing",
            "member": "PJSIP/2004",
        },
        {
            "id": "e3",
            "type": "call_abandoned",
            "at": "bad",
            "call_id": "c2",
            "queue": "billing",
            "caller": caller,
        },
    ]
    assert (
        client.post(reverse("api-telephony-events"), {"events": events}, format="json").status_code
        == 200
    )
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Bearer {source_token}x")
    assert (
        bad.post(reverse("api-telephony-events"), {"events": events}, format="json").status_code
        == 401
    )
    category = Category.objects.create(name="Billing error")
    ann = APIClient()
    ann.force_login(cast.ann)
    created = ann.post(
        "/api/complaints/",
        {
            "customer_name": "Jane Doe",
            "customer_contact": contact,
            "category": category.pk,
            "description": "Charged twice.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    refused = ann.post("/api/complaints/", {"customer_contact": contact}, format="json")
    assert refused.status_code == 400
    logged = caplog.text + "".join(capsys.readouterr())
    assert "Bad Request" in logged or "Unauthorized" in logged  # the logs did capture
    for secret in (source_token, caller, contact, contact.replace(" ", ""), "Jane Doe"):
        assert secret not in logged, secret
