import pytest


@pytest.mark.django_db
def test_healthz_reports_each_part_and_answers_200_when_all_are_up(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from callfloor import health

    monkeypatch.setattr(health, "_database", lambda: {"ok": False, "error": "OperationalError"})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.django_db
def test_healthz_asks_the_celery_workers_when_a_broker_is_configured(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    celery = response.json()["checks"]["celery"]
    # No worker runs in this test: the check must say so rather than pretend.
    assert celery["ok"] is False
    assert response.status_code == 503
