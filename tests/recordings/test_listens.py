"""Agents see who listened to their calls' recordings, in their own language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.i18n.pages import walk
from tests.recordings.test_permissions import MATRIX, rec_world  # noqa: F401 (the fixture)


def _listen(user, call):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("recordings:audio", kwargs={"call_id": call.pk}))
    assert response.status_code == 200
    b"".join(response.streaming_content)


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("recordings:my-listens"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_agent_sees_who_listened_to_their_calls(rec_world):  # noqa: F811
    w = rec_world
    assert "Nobody has listened" in _page(w.ann)
    _listen(w.tina, w.ann_call)
    _listen(w.quinn, w.ann_call)
    _listen(w.quinn, w.bob_call)
    _listen(w.ann, w.ann_call)  # her own listening is not news to her
    page = _page(w.ann)
    assert "Tina Lead" in page and "Quinn Analyst" in page and "Ann Agent" not in page
    assert page.count("<tr>") == 3  # the header and two listens: bob's call is not hers
    assert "billing" in page
    bob_page = _page(w.bob)
    assert "Quinn Analyst" in bob_page and "Tina Lead" not in bob_page


def test_the_nav_of_an_agent_links_the_page(rec_world):  # noqa: F811
    client = Client()
    client.force_login(rec_world.ann)
    page = client.get(reverse("my-quality")).content.decode()
    assert reverse("recordings:my-listens") in page


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_page_reads_in_chinese(rec_world, language):  # noqa: F811
    _listen(rec_world.tina, rec_world.ann_call)
    problems = walk(rec_world, MATRIX, "agent", language)
    assert not problems, "\n".join(problems)
