"""Query parameters of the API's list views: a bad value is a JSON 400 naming the parameter.

Before, `?agent=abc` on the evaluations and `?team=abc` on the shifts answered an HTML 500,
days at the ends of the calendar overflowed the week and time-zone maths (500), and unknown
choices (`?scope=`, `?status=`, `?tier=`) were silently ignored.
"""

import pytest

pytestmark = pytest.mark.django_db

# (who, path, parameters, the parameter the 400 must name)
BAD = [
    ("ann", "/api/qa/evaluations/", {"agent": "abc"}, "agent"),
    ("tina", "/api/qa/evaluations/", {"agent": "9" * 40}, "agent"),
    ("tina", "/api/qa/appeals/", {"scope": "everything"}, "scope"),
    ("tina", "/api/shifts/", {"team": "abc", "week": "2026-03-02"}, "team"),
    ("tina", "/api/shifts/", {"team": "{billing}", "week": "someday"}, "week"),
    ("tina", "/api/shifts/", {"team": "{billing}", "week": "9999-12-31"}, "week"),
    ("ann", "/api/shifts/", {"week": "0001-01-01"}, "week"),
    ("tina", "/api/attendance/", {"team": "{billing}", "day": "9999-12-31"}, "day"),
    ("tina", "/api/staffing/", {"queue": "1", "day": "0001-01-01"}, "day"),
    ("tina", "/api/complaints/", {"tier": "abc"}, "tier"),
    ("tina", "/api/complaints/", {"status": "lost"}, "status"),
    ("tina", "/api/complaints/", {"mine": "perhaps"}, "mine"),
    ("tina", "/api/complaints/reports/", {"start": "9999-12-31", "end": "9999-12-31"}, "start"),
    ("tina", "/api/live-escalations/", {"site": "<b>main</b>"}, "site"),
    ("sam", "/api/reports/site/", {"start": "9999-12-31", "end": "9999-12-31"}, "start"),
    ("sam", "/api/reports/queues/", {"queue": "abc"}, "queue"),
    ("sam", "/api/reports/abandoned/", {"grain": "fortnight"}, "grain"),
]


@pytest.mark.parametrize(
    ("who", "path", "params", "field"), BAD, ids=[f"{p} {q}" for _, p, q, _ in BAD]
)
def test_a_bad_query_parameter_is_a_json_400_naming_it(cast, api, who, path, params, field):
    params = {k: v.format(billing=cast.billing.pk) for k, v in params.items()}
    response = api(getattr(cast, who)).get(path, params)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert error["fields"][field][0]


def test_good_query_parameters_still_filter(cast, api):
    """The parameters keep their meaning (`?mine=1`, `?open=1`, `?tier=1`, `?agent=`)."""
    assert api(cast.tina).get("/api/complaints/", {"mine": "1", "open": "1"}).status_code == 200
    assert api(cast.tina).get("/api/complaints/", {"tier": "1"}).status_code == 200
    response = api(cast.ann).get("/api/qa/evaluations/", {"agent": cast.bob_agent.pk})
    assert response.status_code == 200 and response.json() == []


def test_the_schema_documents_the_list_parameters(cast, api):
    """So that the schema-driven fuzzer (and API users) know them."""
    schema = api(cast.sam).get("/api/schema/", {"format": "json"}).json()

    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"agent"} <= names("/api/qa/evaluations/")
    assert {"scope"} <= names("/api/qa/appeals/")
    assert {"team", "week"} <= names("/api/shifts/")
    assert {"status", "tier", "severity", "mine", "open"} <= names("/api/complaints/")
    assert {"start", "end", "grain", "queue"} <= names("/api/reports/queues/")
    assert {"site"} <= names("/api/live-escalations/")
