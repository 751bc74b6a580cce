"""The database aliases the environment gives: the primary, the report replica, a pooler."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO

PRIMARY = "postgres://callfloor:secret@db.example:5432/callfloor"
REPLICA = "postgres://callfloor:secret@replica.example:5432/callfloor"


def _databases(**env) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CALLFLOOR_DB"))}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({a: {'host': d['HOST'], 'no_cursors': "
            "d.get('DISABLE_SERVER_SIDE_CURSORS', False), 'test': d.get('TEST', {})} "
            "for a, d in s.DATABASES.items()}))",
        ],
        cwd=REPO,
        env={**base, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "callfloor.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout.strip().splitlines()[-1])


def test_a_replica_url_adds_the_replica_alias_mirrored_under_tests():
    databases = _databases(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert databases["default"]["host"] == "db.example"
    assert databases["replica"]["host"] == "replica.example"
    assert databases["replica"]["test"]["MIRROR"] == "default"
    assert not databases["replica"]["no_cursors"]


def test_without_a_replica_url_there_is_only_the_primary():
    assert set(_databases(DATABASE_URL=PRIMARY)) == {"default"}


def test_transaction_pooling_turns_server_side_cursors_off_on_every_alias():
    databases = _databases(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, CALLFLOOR_DB_TRANSACTION_POOLING="1"
    )
    assert {a: d["no_cursors"] for a, d in databases.items()} == {
        "default": True,
        "replica": True,
    }
