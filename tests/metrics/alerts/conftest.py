"""A local HTTP endpoint that records what it receives (a robot's or an integrator's server)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

# The complaint and QA fixtures, for the alerts those apps raise and the events they publish.
from tests.qa.complaints.conftest import floor, new_case  # noqa: F401
from tests.qa.conftest import ann_evaluation, world  # noqa: F401


class Recorder:
    def __init__(self) -> None:
        self.requests: list[SimpleNamespace] = []
        self.statuses: list[int] = []  # answers in order; then 200
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}
        self.sleep_s = 0.0
        self.arrived = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(
                    SimpleNamespace(
                        path=self.path, headers=dict(self.headers), body=body, at=time.monotonic()
                    )
                )
                recorder.arrived.set()
                if recorder.sleep_s:
                    time.sleep(recorder.sleep_s)
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                data = json.dumps(recorder.answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def wait(self, count: int = 1, timeout: float = 15.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} requests arrived"
        return self.requests

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    recorder = Recorder()
    yield recorder
    recorder.close()


@pytest.fixture
def make_channel(db):
    """`make_channel(kind, url, secret=...)`: a channel allowed to reach 127.0.0.1 over http."""
    from metrics.alerts.models import AlertChannel
    from metrics.alerts.secrets import secret_encrypt

    def make(kind: str, url: str = "", *, secret: str = "", **fields) -> AlertChannel:
        return AlertChannel.objects.create(
            name=fields.pop("name", f"{kind}-{AlertChannel.objects.count()}"),
            kind=kind,
            url=url,
            secret_encrypted=secret_encrypt(plain=secret),
            allow_private=fields.pop("allow_private", True),
            **fields,
        )

    return make
