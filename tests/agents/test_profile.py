"""A person's profile: the phone extension the PBX rings when they listen in from the floor."""

import pytest

from agents.models import AuditEntry, UserPreferences
from agents.selectors import user_extension

pytestmark = pytest.mark.django_db


def test_a_supervisor_registers_their_extension_and_it_is_audited(cast, client):
    client.force_login(cast.sam)
    response = client.post("/profile/", {"extension": " PJSIP/2001 "})
    assert response.status_code == 302
    assert user_extension(cast.sam) == "PJSIP/2001"
    entry = AuditEntry.objects.get(action="user.extension_set")
    assert entry.actor == cast.sam and entry.data == {"from": "", "to": "PJSIP/2001"}
    page = client.get("/profile/")
    assert b'value="PJSIP/2001"' in page.content


def test_an_extension_with_a_line_break_or_a_space_is_refused(cast, client):
    """It goes into a Manager header: a line break would start another header or action."""
    client.force_login(cast.sam)
    for bad in ["2001\r\nAction: Originate", "2001 2002", "20<01>"]:
        response = client.post("/profile/", {"extension": bad})
        assert response.status_code == 200
        assert b'data-testid="field-error-extension"' in response.content
    assert not UserPreferences.objects.filter(user=cast.sam).exclude(extension="").exists()
    assert not AuditEntry.objects.filter(action="user.extension_set").exists()


def test_clearing_the_extension_keeps_the_language(cast, client):
    UserPreferences.objects.create(user=cast.tina, language="zh-hans", extension="2002")
    client.force_login(cast.tina)
    client.post("/profile/", {"extension": ""})
    preferences = UserPreferences.objects.get(user=cast.tina)
    assert (preferences.language, preferences.extension) == ("zh-hans", "")


def test_the_profile_reads_in_chinese(cast, client):
    client.force_login(cast.sam)
    page = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert "電話分機" in page.content.decode()
    page = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "电话分机" in page.content.decode() and "个人资料" in page.content.decode()
