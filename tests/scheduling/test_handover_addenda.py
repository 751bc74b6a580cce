"""A sent handover is fixed: corrections are addenda, and the acknowledgement covers the addenda
sent before it (recorded); a later addendum waits for its own acknowledgement."""

import pytest
from django.urls import reverse

from agents.models import AuditEntry
from callfloor.errors import Conflict, DomainError
from scheduling import services
from scheduling.models import Handover, HandoverAddendum

pytestmark = pytest.mark.django_db(transaction=False)


def _audit(handover, action):
    return list(
        AuditEntry.objects.filter(
            object_type="scheduling.handover", object_id=str(handover.pk), action=action
        ).order_by("id")
    )


def _confirm_high(cast, handover):
    services.handover_case_confirm(case=handover.cases.get(severity="high"), actor=cast.tom)


def test_a_sent_handover_cannot_be_rewritten_by_its_author(cast, handover, api, client):
    """Before acknowledgement the author could PATCH the text (and post the page's edit form):
    the recipient then saw only the new text, although the page promised the original is never
    changed."""
    response = api(cast.tina).patch(
        f"/api/handovers/{handover.pk}/",
        {"summary": "Rewritten before anyone read it"},
        format="json",
    )
    assert response.status_code == 405
    client.force_login(cast.tina)
    client.post(f"/handovers/{handover.pk}/edit/", {"summary": "Rewritten by the page"})
    assert Handover.objects.get(pk=handover.pk).summary == "Busy morning; billing run late."
    page = client.get(reverse("handover-detail", kwargs={"handover_id": handover.pk}))
    html = page.content.decode()
    assert 'data-testid="edit-form"' not in html
    assert 'data-testid="addendum-form"' in html
    assert not _audit(handover, "handover.edited")


def test_a_correction_is_an_addendum_the_recipient_sees_with_its_author_and_time(
    cast, handover, client
):
    addendum = services.handover_addendum_add(
        handover=handover, actor=cast.tina, text="Correction: line 3 was down until 09:40."
    )
    client.force_login(cast.tom)
    html = client.get(reverse("handover-detail", kwargs={"handover_id": handover.pk})).content
    html = html.decode()
    assert "Busy morning; billing run late." in html  # the original, unchanged
    assert "Correction: line 3 was down until 09:40." in html
    assert "Tina Lead" in html and addendum.created_at.strftime("%Y-%m-%d") in html
    assert 'data-testid="addendum-unacknowledged"' in html
    assert f'name="seen_addendum" value="{addendum.pk}"' in html


def test_the_acknowledgement_covers_the_addenda_sent_before_it_and_records_them(
    cast, handover, api
):
    first = services.handover_addendum_add(handover=handover, actor=cast.tina, text="One more")
    second = services.handover_addendum_add(handover=handover, actor=cast.sam, text="And this")
    _confirm_high(cast, handover)
    tom = api(cast.tom)
    # The page (or client) had read only the first: the second arrived since, so it is refused.
    response = tom.post(
        f"/api/handovers/{handover.pk}/acknowledge/", {"addenda": [first.pk]}, format="json"
    )
    assert response.status_code == 409
    response = tom.post(
        f"/api/handovers/{handover.pk}/acknowledge/",
        {"addenda": [first.pk, second.pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {row["id"]: bool(row["acknowledged_at"]) for row in body["addenda"]} == {
        first.pk: True,
        second.pk: True,
    }
    assert {row["acknowledged_by"] for row in body["addenda"]} == {"tom"}
    [ack] = _audit(handover, "handover.acknowledged")
    assert ack.data["addenda"] == [first.pk, second.pk]


def test_an_addendum_after_the_acknowledgement_is_not_acknowledged_until_the_recipient_does(
    cast, handover, api, client
):
    _confirm_high(cast, handover)
    services.handover_acknowledge(handover=handover, actor=cast.tom)
    late = services.handover_addendum_add(
        handover=handover, actor=cast.tina, text="The bank called back at 15:00."
    )
    assert late.acknowledged_at is None
    [ack] = _audit(handover, "handover.acknowledged")
    assert ack.data["addenda"] == []
    client.force_login(cast.tom)
    url = reverse("handover-detail", kwargs={"handover_id": handover.pk})
    html = client.get(url).content.decode()
    assert 'data-testid="addendum-unacknowledged"' in html
    assert 'data-testid="acknowledge-addendum"' in html
    # Only the recipient acknowledges it, once.
    assert api(cast.tina).post(f"/api/handover-addenda/{late.pk}/acknowledge/").status_code == 403
    response = api(cast.tom).post(f"/api/handover-addenda/{late.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_by"] == "tom"
    assert api(cast.tom).post(f"/api/handover-addenda/{late.pk}/acknowledge/").status_code == 409
    [row] = _audit(handover, "handover.addendum_acknowledged")
    assert row.actor == cast.tom and row.data == {"addendum": late.pk}
    html = client.get(url).content.decode()
    assert 'data-testid="addendum-unacknowledged"' not in html


def test_every_addendum_and_acknowledgement_writes_an_audit_row(cast, handover):
    services.handover_addendum_add(handover=handover, actor=cast.tina, text="Before")
    _confirm_high(cast, handover)
    services.handover_acknowledge(handover=handover, actor=cast.tom)
    own = services.handover_addendum_add(handover=handover, actor=cast.tom, text="My own note")
    services.handover_addendum_add(handover=handover, actor=cast.sam, text="After")
    rows = _audit(handover, "handover.addendum")
    assert [r.data["after_acknowledgement"] for r in rows] == [False, True, True]
    # The recipient's own addition needs no acknowledgement from them.
    assert own.acknowledged_by == cast.tom
    assert (
        HandoverAddendum.objects.filter(handover=handover, acknowledged_at__isnull=True).count()
        == 1
    )


def test_an_addendum_before_the_acknowledgement_is_covered_by_it_not_acknowledged_alone(
    cast, handover
):
    addendum = services.handover_addendum_add(handover=handover, actor=cast.tina, text="x")
    with pytest.raises(Conflict):
        services.handover_addendum_acknowledge(addendum=addendum, actor=cast.tom)
    with pytest.raises(DomainError):
        services.handover_addendum_add(handover=handover, actor=cast.ann, text="not mine")
