"""The complaint API: a case's life over HTTP, bad input named by field, masking by role."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import Notification
from qa.complaints.models import Complaint, Status, Tier

pytestmark = pytest.mark.django_db


def url(name, case=None, **kwargs):
    if case is not None:
        kwargs["complaint_id"] = case if isinstance(case, int) else case.pk
    return reverse(name, kwargs=kwargs)


def error_fields(response):
    body = response.json()
    assert "error" in body, body
    return body["error"].get("fields", {})


def log(client, floor, **changes):
    data = {
        "customer_name": "Jane Doe",
        "customer_contact": "jane.doe@example.com",
        "category": floor.billing_errors.pk,
        "severity": "high",
        "description": "Charged twice.",
        "calls": [floor.ann_call.pk],
        **changes,
    }
    return client.post(url("api-complaint-list"), data, format="json")


def test_an_agent_logs_a_complaint_from_her_call(cast, floor, api):
    response = log(api(cast.ann), floor)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new" and body["tier"] == Tier.AGENT and body["owner"] == "ann"
    assert body["calls"] == [floor.ann_call.pk] and body["queue"] == "billing"
    assert body["customer"] == {
        "name": "Jane Doe",
        "contact": "jane.doe@example.com",
        "masked": False,
    }
    assert body["timers"]["acknowledge"]["level"] == "green"
    assert body["timers"]["acknowledge"]["budget_s"] == 3600


def test_an_unknown_category_is_refused_by_name(cast, floor, api):
    response = log(api(cast.ann), floor, category=987654)
    assert response.status_code == 400
    assert "Unknown complaint category" in error_fields(response)["category"][0]
    assert not Complaint.objects.exists()


def test_an_unknown_call_or_severity_is_refused_by_name(cast, floor, api):
    response = log(api(cast.ann), floor, calls=[987654], severity="apocalyptic")
    assert response.status_code == 400
    assert error_fields(response) == {
        "severity": ['"apocalyptic" is not a valid choice.'],
        "calls.0": ["There is no call with id 987654."],
    }


def test_a_colleagues_call_is_refused(cast, floor, api):
    response = log(api(cast.ann), floor, calls=[floor.bob_call.pk])
    assert response.status_code == 400
    assert error_fields(response) == {"calls": ["You can link only calls you took yourself."]}


def test_the_contact_is_masked_for_qa_and_admins_but_not_supervisors(cast, floor, api):
    case_id = log(api(cast.ann), floor).json()["id"]
    for user, masked in [
        (cast.quinn, True),
        (cast.ada, True),
        (cast.sam, False),
        (cast.tina, False),
    ]:
        customer = api(user).get(url("api-complaint-detail", case_id)).json()["customer"]
        assert customer["masked"] is masked, user
        assert (customer["contact"] == "j•••@example.com") is masked
    listed = api(cast.quinn).get(url("api-complaint-list")).json()["results"]
    assert listed[0]["customer"]["name"] == "J. D."


def test_a_whole_case_over_the_api(cast, floor, api):
    ann, sam = api(cast.ann), api(cast.sam)
    case_id = log(ann, floor).json()["id"]
    assert ann.post(url("api-complaint-acknowledge", case_id)).status_code == 200
    assert ann.post(url("api-complaint-investigate", case_id)).status_code == 200
    response = ann.post(url("api-complaint-escalate", case_id), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in error_fields(response)
    response = ann.post(
        url("api-complaint-escalate", case_id), {"reason": "Wants compensation"}, format="json"
    )
    assert response.json()["owner"] == "tina"
    assert Notification.objects.filter(recipient=cast.tina).exists()
    # ann no longer works the case: she reads it masked and may not act.
    assert ann.get(url("api-complaint-detail", case_id)).json()["customer"]["masked"] is True
    assert (
        ann.post(url("api-complaint-pause", case_id), {"reason": "x"}, format="json").status_code
        == 403
    )
    assert (
        sam.post(
            url("api-complaint-propose-resolution", case_id),
            {"resolution": "Refund the charge"},
            format="json",
        ).status_code
        == 200
    )
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = sam.post(
        url("api-complaint-await-callback", case_id), {"callback_at": past}, format="json"
    )
    assert response.status_code == 400
    assert "in the past" in error_fields(response)["callback_at"][0]
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert (
        sam.post(
            url("api-complaint-await-callback", case_id), {"callback_at": future}, format="json"
        ).status_code
        == 200
    )
    close = {"root_cause": floor.process.pk, "corrective_action": "Fix the billing run"}
    response = sam.post(url("api-complaint-close", case_id), close, format="json")
    assert response.status_code == 400
    assert "Record the call-back" in error_fields(response)["callback"][0]
    response = sam.post(
        url("api-complaint-callback", case_id), {"outcome": "not_satisfied"}, format="json"
    )
    assert response.json()["status"] == Status.REOPENED and response.json()["round"] == 2
    sam.post(url("api-complaint-investigate", case_id))
    sam.post(
        url("api-complaint-propose-resolution", case_id),
        {"resolution": "Refund twice"},
        format="json",
    )
    sam.post(url("api-complaint-await-callback", case_id), {"callback_at": future}, format="json")
    sam.post(url("api-complaint-callback", case_id), {"outcome": "satisfied"}, format="json")
    response = sam.post(url("api-complaint-close", case_id), close, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["root_cause"] == "Process gap"
    actions = [row["action"] for row in sam.get(url("api-complaint-history", case_id)).json()]
    assert actions[0] == "complaint.created" and actions[-1] == "complaint.closed"
    assert actions.count("complaint.callback_recorded") == 2


def test_an_unknown_call_back_outcome_is_refused(cast, floor, api):
    case_id = log(api(cast.ann), floor).json()["id"]
    response = api(cast.ann).post(
        url("api-complaint-callback", case_id), {"outcome": "delighted"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in error_fields(response)


def test_the_list_filters_by_status_and_tier(cast, floor, api):
    ann = api(cast.ann)
    first = log(ann, floor).json()["id"]
    log(ann, floor)
    ann.post(url("api-complaint-acknowledge", first))
    sam = api(cast.sam)
    rows = sam.get(url("api-complaint-list"), {"status": "acknowledged"}).json()["results"]
    assert [r["id"] for r in rows] == [first]
    assert sam.get(url("api-complaint-list"), {"tier": 2}).json()["results"] == []


def test_categories_lists_only_active_ones(cast, floor, api):
    body = api(cast.ann).get(url("api-complaint-categories")).json()
    names = [c["name"] for c in body["categories"]]
    assert {"Billing error", "Rude agent"} <= set(names) and "Fax line" not in names
    assert {"Process gap", "Coaching gap"} <= {r["name"] for r in body["root_causes"]}


def test_a_report_period_that_is_not_a_date_is_refused(cast, api):
    response = api(cast.sam).get(url("api-complaint-reports"), {"start": "last tuesday"})
    assert response.status_code == 400
    assert "is not a date" in error_fields(response)["start"][0]
    response = api(cast.sam).get(
        url("api-complaint-reports"), {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert error_fields(response) == {"end": ["The period ends before it starts."]}


def test_each_case_operation_documents_its_own_input():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    def body(path):
        content = paths[path]["post"]["requestBody"]["content"]["application/json"]
        name = content["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(schema["components"]["schemas"][name]["properties"])

    assert body("/api/complaints/{complaint_id}/close/") == {"root_cause", "corrective_action"}
    assert body("/api/complaints/{complaint_id}/callbacks/") == {"outcome", "note"}
    assert body("/api/complaints/{complaint_id}/escalate/") == {"reason"}
    assert "customer" in schema["components"]["schemas"]["ComplaintOutput"]["properties"]
