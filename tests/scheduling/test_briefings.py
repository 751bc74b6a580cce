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


def _more_agents(cast):
    from agents import services as agent_services

    for n, (name, team) in enumerate(
        [("Dee Agent", cast.billing), ("Eve Agent", cast.billing), ("Fay Agent", cast.cards)]
    ):
        agent_services.agent_create(
            username=name.split()[0].lower(),
            display_name=name,
            employee_number=f"E30{n}",
            team=team,
        )


def test_the_briefing_form_lists_the_briefings_team_first_each_team_apart_with_select_all(
    cast, client
):
    import re

    from django.urls import reverse

    _more_agents(cast)
    client.force_login(cast.sam)
    html = client.get(reverse("briefings"), {"team": cast.cards.pk}).content.decode()
    groups = re.findall(r'data-testid="attendees-(\d+)"', html)
    assert groups == [str(cast.cards.pk), str(cast.billing.pk)]  # the chosen team first
    cards = html.split(f'data-testid="attendees-{cast.cards.pk}"')[1].split("</fieldset>")[0]
    names = re.findall(r'name="attendees" value="\d+"> <span>([^<]+)</span>', cards)
    assert names == ["Bob Agent", "Fay Agent"]  # only the team's agents, by name
    assert cards.count("data-select-all") == 1 and "Everyone in the team" in cards
    assert f'<option value="{cast.cards.pk}" selected>' in html
    # A team lead sees only the team she files for.
    client.force_login(cast.tina)
    html = client.get(reverse("briefings")).content.decode()
    assert re.findall(r'data-testid="attendees-(\d+)"', html) == [str(cast.billing.pk)]
