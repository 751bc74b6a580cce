"""Reports read from the replica when one is configured; everything else reads the primary.

The "replica" is a second real PostgreSQL database on the test server: a copy of the migrated
test database that then holds different rows than it.
"""

import copy
import os
import subprocess

import psycopg2
import pytest
from django.db import connections
from django.urls import reverse

from callfloor.db import REPLICA, reading_reports
from metrics.models import Queue

pytestmark = pytest.mark.django_db(transaction=True)


def _admin_connection(settings_dict):
    conn = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
    )
    conn.autocommit = True
    return conn


def _copy_database(primary: dict, name: str) -> None:
    """The test database's tables and rows into database `name`, through pg_dump and psql.

    (Not `CREATE DATABASE … TEMPLATE`: that needs no other session on the test database, and
    in the whole suite threads of earlier tests may still hold one.)"""
    from agents.backup import _pg_tool

    env = dict(os.environ, PGPASSWORD=str(primary.get("PASSWORD") or ""))
    where = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if primary.get(key):
            where += [flag, str(primary[key])]
    dump = subprocess.run(
        [_pg_tool("pg_dump"), *where, "--dbname", primary["NAME"], "--no-owner"],
        env=env,
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [_pg_tool("psql"), *where, "--dbname", name, "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump.stdout,
        env=env,
        capture_output=True,
        check=True,
    )


@pytest.fixture
def replica(db, monkeypatch):
    """A `replica` database on a copy of the test database (dropped afterwards)."""
    from django.conf import settings
    from django.db.backends.postgresql.base import DatabaseWrapper

    primary = connections.settings["default"]
    name = f"{primary['NAME']}_replica"
    connections.close_all()
    admin = _admin_connection(primary)
    wrapper = None
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        _copy_database(primary, name)
        replica_settings = {**copy.deepcopy(primary), "NAME": name}
        # As settings would with DATABASE_REPLICA_URL. Connected here: Django's test case
        # refuses to open a connection to a database it did not know of when it started.
        monkeypatch.setitem(settings.DATABASES, REPLICA, replica_settings)
        wrapper = DatabaseWrapper(replica_settings, REPLICA)
        wrapper.connect()
        connections[REPLICA] = wrapper
        yield name
    finally:
        if wrapper is not None:
            wrapper.close()
            del connections[REPLICA]
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _queue_names(html: str) -> set[str]:
    return {name for name in ("Primary only", "Replica only") if name in html}


def test_a_report_reads_the_replica_and_other_pages_the_primary(cast, client, replica):
    Queue.objects.create(name="Primary only")
    Queue.objects.using(REPLICA).create(name="Replica only")
    client.force_login(cast.sam)

    report = client.get(reverse("report-queue"))
    assert report.status_code == 200
    assert _queue_names(report.content.decode()) == {"Replica only"}
    api = client.get(reverse("api-report-site"))
    assert api.status_code == 200

    # Not a report: the primary.
    client.force_login(cast.ada)
    admin = client.get(reverse("admin:metrics_queue_changelist"))
    assert admin.status_code == 200
    assert _queue_names(admin.content.decode()) == {"Primary only"}

    # Writes inside a report still go to the primary, and so does who the person is.
    with reading_reports():
        assert set(Queue.objects.values_list("name", flat=True)) >= {"Replica only"}
        made = Queue.objects.create(name="Written in a report")
        assert made._state.db == "default"
        assert type(cast.sam).objects.db_manager().db == "default"
    assert Queue.objects.filter(name="Written in a report").exists()
    assert not Queue.objects.using(REPLICA).filter(name="Written in a report").exists()


def test_without_a_replica_reports_read_the_primary(cast, client):
    from django.conf import settings

    assert REPLICA not in settings.DATABASES
    Queue.objects.create(name="Primary only")
    client.force_login(cast.sam)
    report = client.get(reverse("report-queue"))
    assert report.status_code == 200
    assert _queue_names(report.content.decode()) == {"Primary only"}
    with reading_reports():
        assert Queue.objects.filter(name="Primary only").exists()
