"""The Content-Security-Policy: strict, and on every page.

Every product URL is requested by every role in the permission matrices, and `check_case`
(tests/permissions.py) asserts the header on each answer; this file covers the exact policy and
the framework's pages the matrices leave out (login, the admin, the API docs and schema, errors).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.permissions import CSP_HEADER

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response[CSP_HEADER]
    parts = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {name: sorted(values) for name, *values in parts}


def test_the_policy_is_strict_and_allows_the_boards_socket(settings):
    settings.ALLOWED_HOSTS = ["floor.example.org"]
    response = Client().get(reverse("login"), HTTP_HOST="floor.example.org")
    assert directives(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws://floor.example.org"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_over_https_the_socket_is_wss(settings):
    settings.ALLOWED_HOSTS = ["floor.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get(
        reverse("login"), HTTP_HOST="floor.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert directives(response)["connect-src"] == ["'self'", "wss://floor.example.org"]


def test_a_page_asking_for_a_nonce_gets_it_in_the_policy(cast):
    client = Client()
    client.force_login(cast.sam)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    nonce = [v for v in directives(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonce) == 1
    assert f'nonce="{nonce[0][7:-1]}"' in response.content.decode()
    assert "<style" not in response.content.decode()  # its page style is a static file


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))  # a 403 carries it too
    return urls


def test_the_framework_pages_carry_the_policy(cast):
    anonymous, admin_client, agent = Client(), Client(), Client()
    admin_client.force_login(cast.ada)
    agent.force_login(cast.ann)
    answers = [
        anonymous.get(reverse("login")),
        anonymous.get(reverse("home")),
        anonymous.get(reverse("healthz")),
        anonymous.get("/no-such-page/"),
        anonymous.get(reverse("api-docs")),
        anonymous.get(reverse("admin:index")),
        agent.get(reverse("admin:index")),
        admin_client.get(reverse("api-docs")),
        admin_client.get(reverse("api-schema")),
        agent.get("/api/no-such-endpoint/"),
        *(admin_client.get(url) for url in _admin_urls()),
        agent.post(reverse("logout")),
    ]
    assert len(answers) > 20
    missing = [
        (answer.request["PATH_INFO"], answer.status_code)
        for answer in answers
        if "default-src 'self'" not in answer.get(CSP_HEADER, "")
    ]
    assert missing == []
