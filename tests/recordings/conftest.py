"""Recording fixtures: the quality world's calls with a FreePBX-style directory store.

ann's call 1001 and bob's call 2001 have recordings (generated stereo WAV) under a temporary
spool directory laid out as /var/spool/asterisk/monitor/YYYY/MM/DD/…-<uniqueid>.wav.
"""

from __future__ import annotations

import base64
import threading
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from tests.qa.conftest import world  # noqa: F401  (the quality world: cast, calls, scorecard)


def spool_path(spool, call, name_prefix: str = "q-9000-555-", ext: str = "wav"):
    started = call.answered_at.astimezone(UTC)
    folder = spool / f"{started:%Y/%m/%d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name_prefix}{started:%Y%m%d-%H%M%S}-{call.call_id}.{ext}"


@pytest.fixture
def spool(tmp_path):
    path = tmp_path / "monitor"
    path.mkdir()
    return path


@pytest.fixture
def recorded(world, spool):  # noqa: F811
    """A directory store for the world's source, and a linked recording of each call."""
    from metrics.recordings import demo, services
    from metrics.recordings.models import StoreKind

    store = services.recording_store_set(
        source=world.source, actor=None, kind=StoreKind.DIRECTORY, directory=str(spool)
    )
    files = {}
    for n, call in enumerate((world.ann_call, world.bob_call)):
        path = spool_path(spool, call)
        demo.wav_write(path, demo.conversation(seconds=3, seed=n))
        files[call.call_id] = path
    offered = [world.ann_call.offered_at, world.bob_call.offered_at]
    linked = services.recordings_link(
        store=store, since=min(offered), until=max(offered) + timedelta(seconds=1)
    )
    assert linked == 2
    return SimpleNamespace(store=store, files=files, spool=spool)


class _Pbx(BaseHTTPRequestHandler):
    """A PBX's recording server: /recordings/<id> with Basic auth and byte ranges."""

    def do_GET(self):
        server = self.server
        server.seen.append((self.path, dict(self.headers)))
        if server.redirect_to:
            self.send_response(302)
            self.send_header("Location", server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = self.path.rpartition("/")[2]
        body = server.files.get(name)
        if body is None or self.headers.get("Authorization") != server.authorization:
            self.send_response(404 if body is None else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        wanted = self.headers.get("Range", "")
        status, first, last = 200, 0, len(body) - 1
        if wanted.startswith("bytes="):
            start, _, end = wanted[6:].partition("-")
            status, first = 206, int(start)
            last = min(int(end), last) if end else last
        self.send_response(status)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {first}-{last}/{len(body)}")
        self.end_headers()
        self.wfile.write(body[first : last + 1])

    def log_message(self, *args):
        pass


def _serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pbx)
    server.seen, server.files, server.redirect_to = [], {}, ""
    server.authorization = "Basic " + base64.b64encode(b"callfloor:s3cret").decode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def pbx_http():
    """A recording server on 127.0.0.1 (and a second one, `evil`, no request may reach)."""
    server, evil = _serve(), _serve()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    evil.url = f"http://127.0.0.1:{evil.server_address[1]}"
    server.evil = evil
    try:
        yield server
    finally:
        for s in (server, evil):
            s.shutdown()
            s.server_close()
