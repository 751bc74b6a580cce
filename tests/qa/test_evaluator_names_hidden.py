"""With transparency on and evaluator names hidden, a peer learns nobody's name from an
evaluation: not as its evaluator, not as the author of a score revision."""

import pytest

from qa import services
from qa.models import QaSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(cast, world, ann_evaluation):
    services.evaluation_revise(
        evaluation=ann_evaluation,
        actor=cast.sam,
        changes={str(world.crit["empathy"].pk): {"points": 3, "comment": ""}},
        reason="Second listen",
    )
    services.qa_settings_update(actor=cast.ada, transparency=True)
    return ann_evaluation


def names_in(body) -> set[str]:
    return {body["evaluator"]} | {r["created_by"] for r in body["revisions"]}


def test_a_peer_sees_no_name_in_the_revisions(cast, revised, api):
    assert QaSettings.load().hide_evaluator_names
    detail = api(cast.bob).get(f"/api/qa/evaluations/{revised.pk}/").json()
    assert [r["number"] for r in detail["revisions"]] == [1, 2]
    assert names_in(detail) == {None}
    listed = api(cast.bob).get("/api/qa/evaluations/").json()
    assert [e["id"] for e in listed] == [revised.pk]
    assert names_in(listed[0]) == {None}
    page = api(cast.bob).get(f"/qa/evaluations/{revised.pk}/")
    assert page.status_code == 200
    for person in ("quincy", "Quincy Second", "Sam Supervisor"):
        assert person not in page.content.decode()


def test_the_agent_and_staff_still_see_who_revised(cast, world, revised, api):
    for user in (cast.ann, cast.tina, cast.quinn):
        body = api(user).get(f"/api/qa/evaluations/{revised.pk}/").json()
        assert body["evaluator"] == "quincy"
        assert [r["created_by"] for r in body["revisions"]] == ["quincy", "sam"]


def test_peers_see_names_when_the_centre_shows_them(cast, revised, api):
    QaSettings.objects.update(hide_evaluator_names=False)
    body = api(cast.bob).get(f"/api/qa/evaluations/{revised.pk}/").json()
    assert names_in(body) == {"quincy", "sam"}
