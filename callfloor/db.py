"""Report reads from a read replica.

With `DATABASE_REPLICA_URL` set, settings add the database alias `replica` (a streaming replica
of the primary). The reads made inside `reading_reports()` — the report pages, exports and API
of `metrics.reports` — go there; every other read, and every write, stays on the primary
(`default`), so that what a request writes it reads back at once. Who the person is and what
they may do (users, groups, sessions, tokens, login lockouts) is always read on the primary, so
a role taken away counts at once even while the replica lags behind.

Without `DATABASE_REPLICA_URL` there is no `replica` alias and everything reads `default`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
# Apps whose rows say who a person is and what they may do: read on the primary only.
PRIMARY_ONLY = frozenset({"auth", "sessions", "contenttypes", "authtoken", "axes", "admin"})

_reading_reports: ContextVar[bool] = ContextVar("callfloor_reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    """Reads inside go to the replica, when there is one (a context manager and a decorator;
    a context variable, so it holds for this thread or task only)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReportReplicaRouter:
    """Reads inside `reading_reports()` → `replica`; everything else → `default`."""

    def db_for_read(self, model, **hints) -> str | None:
        if (
            _reading_reports.get()
            and model._meta.app_label not in PRIMARY_ONLY
            and replica_configured()
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        # Never the replica, even for an object read there.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: objects of both may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints) -> bool | None:
        return None
