"""/healthz: is each part this process depends on reachable?"""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _channel_layer() -> dict:
    layer = get_channel_layer()
    try:
        channel = async_to_sync(layer.new_channel)()
        probe = {"type": "health.probe", "id": uuid.uuid4().hex}
        async_to_sync(layer.send)(channel, probe)
        received = async_to_sync(layer.receive)(channel)
        return {"ok": received == probe, "backend": layer.__class__.__name__}
    except Exception as exc:
        return {"ok": False, "backend": layer.__class__.__name__, "error": exc.__class__.__name__}


def _celery() -> dict | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None  # embedded mode: tasks run in-process, there is no worker to ask
    from callfloor.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
        return {"ok": bool(replies), "workers": len(replies)}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _telephony() -> dict | None:
    from django.utils import timezone

    from metrics.telephony.ami.board import ami_health

    try:
        return ami_health(now=timezone.now())
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def healthz(request):
    checks = {"database": _database(), "channel_layer": _channel_layer()}
    celery = _celery()
    if celery is not None:
        checks["celery"] = celery
    ok = all(check["ok"] for check in checks.values())
    # The PBX links are reported, not counted in the status: a telephony outage must not make
    # the web server look broken (and restart it).
    telephony = _telephony() if checks["database"]["ok"] else None
    body = {"ok": ok, "checks": checks}
    if telephony is not None:
        body["telephony"] = telephony
    return JsonResponse(body, status=200 if ok else 503)
