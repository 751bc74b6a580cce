"""A board client that never reads, on a real Daphne: the other boards get every push at full
speed, and the server drops the silent one once its unsent messages pass the limit instead of
holding every push it misses in memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from metrics.board import push
from tests.metrics.board.conftest import session_headers
from tests.reliability.raw_ws import RawBoard

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
LIMIT = 1024 * 1024  # the server's limit in this test (8 MiB by default)
MESSAGE = 256 * 1024  # each push
PUSHES = 96  # 24 MiB in all, to each board


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def small_buffer_server(request, monkeypatch):
    monkeypatch.setenv("CALLFLOOR_WS_MAX_BUFFER_BYTES", str(LIMIT))  # the child reads its env
    return request.getfixturevalue("live_asgi")


def test_a_client_that_never_reads_is_dropped_and_delays_no_other_board(cast, small_buffer_server):
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"], "run through make test"
    live = small_buffer_server
    cookie = dict(session_headers(cast.sam))[b"cookie"]
    silent = RawBoard(live.port, cookie, receive_buffer=4096)
    reader = RawBoard(live.port, cookie)
    assert silent.status == reader.status == 101
    opcode, first = reader.frame()  # the snapshot
    assert opcode == 1 and b'"snapshot"' in first
    time.sleep(0.5)  # both sockets have joined the group
    daphne_before = rss_mb(live.process.pid)

    layer = get_channel_layer()
    pad = "x" * MESSAGE
    base_seq = push.next_seq("main")
    started = time.monotonic()
    lags = []
    for n in range(PUSHES):
        seq = base_seq + 1 + n
        text = f'{{"type":"delta","seq":{seq},"now":0,"delta":{{}},"pad":"{pad}"}}'
        async_to_sync(layer.group_send)(
            push.group_name("main"),
            {"type": "floor.delta", "seq": seq, "now": 0, "delta": {}, "text": text},
        )
        sent = time.monotonic()
        opcode, body = reader.frame()
        lags.append(time.monotonic() - sent)
        assert opcode == 1 and body.startswith(f'{{"type":"delta","seq":{seq},'.encode())
    elapsed = time.monotonic() - started
    time.sleep(1)
    daphne_after = rss_mb(live.process.pid)

    # The silent client: dropped by the server (reset), after at most the limit plus what the
    # kernel's buffers took.
    received = 0
    silent.sock.settimeout(5)
    try:
        while chunk := silent.sock.recv(1 << 20):
            received += len(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    pushed_mb = PUSHES * MESSAGE / 2**20
    print(
        f"{PUSHES} pushes of {MESSAGE // 1024} KiB in {elapsed:.2f} s to the reading board "
        f"(max lag {max(lags) * 1000:.0f} ms); the silent one got {received / 2**20:.1f} "
        f"of {pushed_mb:.0f} MiB; Daphne RSS {daphne_before:.0f} → {daphne_after:.0f} MB"
    )
    assert received < PUSHES * MESSAGE / 2  # cut off, not served in full
    assert max(lags) < 2.0  # no board waited on the silent one
    assert daphne_after - daphne_before < pushed_mb / 2  # its misses are not kept
    reader.sock.close()
    silent.sock.close()
