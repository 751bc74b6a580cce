"""Pre- and post-shift briefings: minutes kept for those who missed them."""

from datetime import UTC, datetime

import pytest

from agents.models import Notification
from callfloor.errors import DomainError
from scheduling import selectors, services
from scheduling.models import BriefingRead

pytestmark = pytest.mark.django_db

HELD = datetime(2026, 11, 23, 7, 45, tzinfo=UTC)


def test_absent_agents_are_told_and_mark_the_minutes_read_once(
    floor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        briefing = services.briefing_create(
            author=floor.tina,
            team=floor.billing,
            kind="pre",
            held_at=HELD,
            agenda="Refund backlog",
            minutes="Refunds first until 10:00.",
            attendees=[floor.cy_agent],
        )
    told = set(
        Notification.objects.filter(kind="briefing.missed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"ann"}
    ann_view = selectors.briefings_for_agent(floor.ann_agent)
    assert [(b.attended, b.read) for b in ann_view] == [(False, False)]
    services.briefing_mark_read(briefing=briefing, agent=floor.ann_agent)
    services.briefing_mark_read(briefing=briefing, agent=floor.ann_agent)
    assert BriefingRead.objects.filter(briefing=briefing).count() == 1
    assert [(b.attended, b.read) for b in selectors.briefings_for_agent(floor.ann_agent)] == [
        (False, True)
    ]
    assert selectors.briefings_for_agent(floor.cy_agent)[0].attended


def test_a_lead_files_only_for_her_team_and_another_team_cannot_read_it(floor):
    with pytest.raises(DomainError):
        services.briefing_create(
            author=floor.tom, team=floor.billing, kind="pre", held_at=HELD, agenda="a", minutes="m"
        )
    with pytest.raises(DomainError) as err:
        services.briefing_create(
            author=floor.tina,
            team=floor.billing,
            kind="pre",
            held_at=HELD,
            agenda="a",
            minutes="m",
            attendees=[floor.bob_agent],
        )
    assert err.value.field == "attendees"
    briefing = services.briefing_create(
        author=floor.tina, team=floor.billing, kind="post", held_at=HELD, agenda="a", minutes="m"
    )
    assert not selectors.briefings_visible_to(floor.bob).filter(pk=briefing.pk).exists()
    with pytest.raises(DomainError):
        services.briefing_mark_read(briefing=briefing, agent=floor.bob_agent)
