"""Shared fixtures: the named cast, API clients, a Daphne live server and Debian's Chromium."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from daphne.testing import DaphneProcess
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Property tests: the number of examples is each test's own; time is not part of any property.
# CI runs the whole suite on two shared cores, where one example may take seconds, so no
# deadline and no "too slow" / "data too large" health check (they fail runs, not code).
# Tests that name their own suppress_health_check add to HYPOTHESIS_SUPPRESSED.
HYPOTHESIS_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "callfloor", deadline=None, suppress_health_check=HYPOTHESIS_SUPPRESSED
)
hypothesis_settings.load_profile("callfloor")


def shared_data(relative: str) -> Path:
    """A file of ../shared/data; fails under CI when missing, skips elsewhere."""
    base = os.environ.get("CALLFLOOR_SHARED_DATA")
    candidates = [Path(base)] if base else []
    candidates += [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    for root in candidates:
        path = root / relative
        if path.is_file():
            return path
    message = f"shared data file {relative!r} is missing (looked in {candidates})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language_between_tests():
    # A request in Chinese leaves its language active in the thread (LocaleMiddleware activates
    # it, nothing deactivates it); every test starts and ends in the site's own language.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _events_of_any_age(settings):
    # The suite posts telephony events of fixed past days (to compare figures at a fixed
    # now); the tests of the live events' age limit set it themselves.
    settings.CALLFLOOR_EVENT_MAX_AGE_DAYS = 0


# --- the cast -----------------------------------------------------------------------------------


@pytest.fixture
def cast(db):
    """A small floor with one person per role (and a second agent, lead and team).

    sam: supervisor · tina: team lead of Billing · tom: team lead of Cards · quinn: QA analyst
    ann: agent in Billing (aliases Local/2004@from-internal/n, PJSIP/2004) · bob: agent in Cards
    ada: admin
    """
    from agents import services
    from agents.roles import Role

    def user(username: str, role: str, name: str):
        first, _, last = name.partition(" ")
        return services.user_create(
            username=username, password=PASSWORD, roles=[role], first_name=first, last_name=last
        )

    sam = user("sam", Role.SUPERVISOR, "Sam Supervisor")
    tina = user("tina", Role.TEAM_LEAD, "Tina Lead")
    tom = user("tom", Role.TEAM_LEAD, "Tom Lead")
    quinn = user("quinn", Role.QA_ANALYST, "Quinn Analyst")
    ada = user("ada", Role.ADMIN, "Ada Admin")
    billing = services.team_create(name="Billing", lead=tina)
    cards = services.team_create(name="Cards", lead=tom)
    ann = services.agent_create(
        username="ann",
        display_name="Ann Agent",
        employee_number="E2004",
        team=billing,
        password=PASSWORD,
        aliases=["Local/2004@from-internal/n", "PJSIP/2004"],
    )
    bob = services.agent_create(
        username="bob",
        display_name="Bob Agent",
        employee_number="E2005",
        team=cards,
        password=PASSWORD,
        aliases=["Local/2005@from-internal/n", "PJSIP/2005"],
    )
    return SimpleNamespace(
        sam=sam,
        tina=tina,
        tom=tom,
        quinn=quinn,
        ada=ada,
        ann=ann.user,
        bob=bob.user,
        ann_agent=ann,
        bob_agent=bob,
        billing=billing,
        cards=cards,
        by_role={
            Role.SUPERVISOR: sam,
            Role.TEAM_LEAD: tina,
            Role.QA_ANALYST: quinn,
            Role.AGENT: ann.user,
            Role.ADMIN: ada,
        },
        password=PASSWORD,
    )


@pytest.fixture
def api():
    """`api(user)` → a DRF APIClient logged in as `user` (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- live servers and the browser ---------------------------------------------------------------


def _child_setup(database_name: str, password_hashers: list[str]) -> None:
    """Point the server process at the test database and the test's settings."""
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database_name
    settings.PASSWORD_HASHERS = password_hashers


def _asgi_application():
    from channels.routing import get_default_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return ASGIStaticFilesHandler(get_default_application())


class SpawnedDaphneProcess(DaphneProcess):
    """Daphne in a freshly spawned interpreter.

    A forked child would inherit whatever locks and sockets the test process holds (a Celery
    broker connection, a channel layer bound to another event loop) and can hang.
    """

    _start_method = "spawn"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        spawn = multiprocessing.get_context("spawn")
        self.port = spawn.Value("i", self.port.value)
        self.ready = spawn.Event()
        self.errors = spawn.Queue()

    @staticmethod
    def _Popen(process_obj):
        from multiprocessing.popen_spawn_posix import Popen

        return Popen(process_obj)


@pytest.fixture
def live_asgi(transactional_db, settings) -> Iterator[SimpleNamespace]:
    """The real ASGI application (HTTP and WebSockets) served by Daphne in a child process."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("live_asgi needs a file or server database (run through make test)")
    setup = partial(
        _child_setup, str(connection.settings_dict["NAME"]), list(settings.PASSWORD_HASHERS)
    )
    process = SpawnedDaphneProcess("127.0.0.1", partial(_asgi_application), setup=setup)
    process.start()
    if not process.ready.wait(timeout=60):
        process.terminate()
        pytest.fail("the Daphne live server did not start within 60 s")
    port = process.port.value
    try:
        yield SimpleNamespace(
            url=f"http://127.0.0.1:{port}",
            ws_url=f"ws://127.0.0.1:{port}",
            port=port,
            process=process,
        )
    finally:
        process.terminate()
        process.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser is ever downloaded).

    Module-scoped: Playwright's sync API keeps an event loop marked as running in this thread
    while it lives, which async code in other test modules (async_to_sync) cannot share.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package 'chromium'")
    from playwright.sync_api import sync_playwright

    # The test's own ORM calls happen while that loop is marked running.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def browser_login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
