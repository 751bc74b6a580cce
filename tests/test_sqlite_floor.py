"""The board's kept floor on SQLite, the embedded mode `make demo` runs.

The refresh worker's reads are plain SQL (cheaper to build than ORM queries); the rest of the
suite runs on PostgreSQL, so this runs the same pushes in a child process on a SQLite file,
as the embedded settings configure it: after every telephony batch the kept floor must equal a
fresh snapshot, and the reads that differ between the two databases (timestamps come back
naive from SQLite) must not fail.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = """
from callfloor.settings import *  # noqa: F403

DATABASES = {{"default": {{**DATABASES["default"], "NAME": {name!r}}}}}  # noqa: F405
"""

SCRIPT = r"""
import json
from datetime import timedelta

import django

django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

assert connection.vendor == "sqlite", connection.vendor
call_command("migrate", verbosity=0)

from agents import services as people
from metrics.board import push, snapshot, state
from metrics.models import Queue
from metrics.repeat_calls import repeat_calls_catch_up
from metrics.telephony.api import EventInput, event_from_input
from metrics.telephony.services import events_ingest, source_create
from scheduling.models import Shift

# The pushes between heartbeats do not read what depends on the clock (the queues' "required
# now", worked out per minute): every event of the script falls in one minute, the one that
# starts an hour ago (11 events 5 s apart), and the heartbeat at the end reads the clock again.
start = (timezone.now() - timedelta(hours=1)).replace(minute=1, second=0, microsecond=0)
clock = {"now": start}
timezone.now = lambda: clock["now"]  # the pushes and the fresh snapshots read one clock

for name in ("billing", "cards"):
    Queue.objects.get_or_create(name=name, site="main")
ann = people.agent_create(
    username="ann", display_name="Ann", employee_number="E1", team=None, aliases=["PJSIP/1"]
)
people.agent_create(
    username="bob", display_name="Bob", employee_number="E2", team=None, aliases=["PJSIP/2"]
)
Shift.objects.create(
    agent=ann, start=start - timedelta(hours=1), end=start + timedelta(hours=7), published_at=start
)
source, _token = source_create(name="pbx", kind="http_json", site="main")

numbered = [0]


def batch(*events):
    items = []
    for kind, fields in events:
        numbered[0] += 1
        clock["now"] += timedelta(seconds=5)
        data = {"id": f"e{numbered[0]}", "type": kind, "at": clock["now"].isoformat(), **fields}
        form = EventInput(data=data)
        form.is_valid(raise_exception=True)
        items.append(event_from_input(form.validated_data, len(items)))
    events_ingest(source=source, events=items)


def pushed(**options):
    message = push.floor_push(site="main", **options)
    kept = state._kept["main"].parts.snapshot
    fresh = snapshot.floor_snapshot(site="main", now=clock["now"])
    differing = state.differing_keys(kept, fresh)
    assert not differing, differing
    return message


pushed()  # the first push builds the floor whole
batch(("agent_login", {"member": "PJSIP/1", "queue": "billing"}),
      ("agent_login", {"member": "PJSIP/2", "queue": "cards"}))
pushed()
batch(("agent_login", {"member": "PJSIP/1", "queue": "cards"}))  # a second queue
pushed()
batch(("call_queued", {"call_id": "c1", "queue": "billing", "caller": "+8613800000001"}),
      ("call_queued", {"call_id": "c2", "queue": "cards", "caller": "+8613800000002"}))
first = pushed()
assert first["type"] == "floor.delta", first["type"]
batch(("call_answered", {"call_id": "c1", "queue": "billing", "member": "PJSIP/1",
                         "wait_s": 5, "ring_s": 2}),
      ("agent_status", {"member": "PJSIP/2", "status": "not_ready", "reason": "break"}))
pushed()
batch(("call_ended", {"call_id": "c1", "queue": "billing", "member": "PJSIP/1", "talk_s": 30}),
      ("call_abandoned", {"call_id": "c2", "queue": "cards", "wait_s": 10}))
pushed()
# The same caller again within the hour: a repeat call, counted by the catch-up.
batch(("call_queued", {"call_id": "c3", "queue": "billing", "caller": "+8613800000001"}))
repeat_calls_catch_up()
pushed()
batch(("agent_logout", {"member": "PJSIP/1", "queue": "cards"}))
pushed()
clock["now"] += timedelta(minutes=20)
pushed(heartbeat=True)
assert pushed(quiet=True) is None  # nothing marked since: a trailing refresh sends nothing
floor = snapshot.floor_snapshot(site="main", now=clock["now"])
queues = sorted(tile.get("name") or tile.get("queue") for tile in floor["queues"].values())
print(json.dumps({"agents": len(floor["agents"]), "queues": queues}))
"""


def test_the_kept_floor_equals_a_fresh_snapshot_on_sqlite(tmp_path):
    (tmp_path / "sqlite_settings.py").write_text(
        SETTINGS.format(name=str(tmp_path / "floor.sqlite3")), encoding="utf-8"
    )
    script = tmp_path / "floor.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sqlite_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DEBUG="1",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert '"agents": 2' in summary, summary
    assert '"queues": ["billing", "cards"]' in summary, summary
