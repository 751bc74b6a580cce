"""Pages show times on the site's clock (CALLFLOOR_TIME_ZONE); the API answers in UTC."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from agents.models import Notification
from agents.services import notify

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.fixture
def shanghai(settings, cast):
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    notify(recipients=[cast.ann], text="Your evaluation was released")
    Notification.objects.update(created_at=AT)
    return cast


def test_the_inbox_shows_the_site_s_clock(shanghai, client):
    # The inbox's view rendered without the site's zone: it read 01:30.
    client.force_login(shanghai.ann)
    page = client.get("/notifications/").content.decode()
    assert "2026-12-07 09:30" in page
    assert "01:30" not in page
    assert timezone.get_current_timezone_name() == "UTC"  # only the request was in Shanghai


def test_the_api_keeps_utc(shanghai, api):
    row = api(shanghai.ann).get("/api/notifications/").json()["results"][0]
    assert datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")) == AT
    assert row["created_at"].endswith(("Z", "+00:00")), row["created_at"]


def test_a_page_in_utc_is_unchanged(cast, client, settings):
    settings.CALLFLOOR_TIME_ZONE = "UTC"
    notify(recipients=[cast.ann], text="Your evaluation was released")
    Notification.objects.update(created_at=AT)
    client.force_login(cast.ann)
    assert "2026-12-07 01:30" in client.get("/notifications/").content.decode()
