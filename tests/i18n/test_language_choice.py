"""Which language a page speaks: browser, switch, the person's stored choice, a board's URL."""

import re

import pytest
from django.test import Client

from agents.models import UserPreferences
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    match = re.search(rb'<html lang="([^"]+)"', response.content)
    assert match, response.content[:200]
    return match.group(1).decode()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("zh-CN,zh;q=0.9", "zh-hans"), ("zh-TW", "zh-hant"), ("zh-HK", "zh-hant"), ("", "en")],
)
def test_first_visit_follows_accept_language(accept, expected):
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert html_lang(response) == expected
    assert response["Content-Language"] == expected


def test_site_default_when_the_browser_asks_for_nothing_offered(settings):
    settings.LANGUAGE_CODE = "zh-hant"
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert html_lang(response) == "zh-hant"


def test_switch_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 403


def test_switch_before_login_is_kept_at_login(cast):
    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/accounts/login/"})
    assert html_lang(client.get("/accounts/login/")) == "zh-hant"
    client.post("/accounts/login/", {"username": "sam", "password": PASSWORD})
    assert UserPreferences.objects.get(user=cast.sam).language == "zh-hant"


def test_choice_is_stored_and_follows_the_person_to_another_device(cast):
    laptop = Client(HTTP_ACCEPT_LANGUAGE="en")
    laptop.post("/accounts/login/", {"username": "tina", "password": PASSWORD})
    response = laptop.post("/i18n/setlang/", {"language": "zh-hans", "next": "/handovers/"})
    assert response.status_code == 302 and response["Location"] == "/handovers/"
    assert UserPreferences.objects.get(user=cast.tina).language == "zh-hans"
    assert html_lang(laptop.get("/handovers/")) == "zh-hans"

    # Another device whose browser asks for English: the stored choice wins once signed in.
    phone = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    assert html_lang(phone.get("/accounts/login/")) == "en"
    phone.post("/accounts/login/", {"username": "tina", "password": PASSWORD})
    page = phone.get("/handovers/")
    assert html_lang(page) == "zh-hans"
    # ... and the device remembers it, so the login page after a log-out speaks it too.
    assert page.cookies["callfloor_language"].value == "zh-hans"
    phone.post("/accounts/logout/")
    assert html_lang(phone.get("/accounts/login/")) == "zh-hans"


def test_unknown_language_is_not_stored(cast):
    client = Client()
    client.force_login(cast.sam)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not UserPreferences.objects.filter(user=cast.sam, language="xx").exists()


def test_tv_board_takes_its_language_from_the_url(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.sam)
    response = client.get("/floor/?tv=1&lang=zh-hant")
    assert response.status_code == 200
    assert html_lang(response) == "zh-hant"
    # The scripts' catalogue is asked for in the same language.
    assert b"/jsi18n/?lang=zh-hant" in response.content
    # The URL's language is for that response only.
    assert html_lang(client.get("/floor/?tv=1")) == "en"
