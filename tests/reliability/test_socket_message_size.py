"""The socket processes as docker-compose.yml starts them can send a big floor's snapshot.

Daphne refuses to send a WebSocket message over its `--websocket-max-message-size` (1 MiB by
default; autobahn applies the limit both ways) and fails the socket with 1011 instead: the
snapshot of a 5,000-agent floor (1.47 MB) then never reaches a board, which reconnects and
fails again. The compose file's socket services carry a larger limit; this starts Daphne with
their very options and receives a message of that size."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from websockets.sync.client import connect

from bench.board import SOCKET_OPTIONS
from tests.reliability.big_message_asgi import SIZE

ROOT = Path(__file__).resolve().parents[2]
APP = "callfloor.asgi:application"
BIG_MESSAGE_APP = "tests.reliability.big_message_asgi:application"


def socket_services() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {
        name: service["command"]
        for name, service in services.items()
        if service.get("command", [None])[0] == "daphne"
    }


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_compose_runs_two_socket_processes_with_the_benchs_options():
    commands = socket_services()
    assert sorted(commands) == ["sockets", "sockets-2"]
    for command in commands.values():
        assert command[-1] == APP
        options = command[1:-1]
        assert all(option in options for option in SOCKET_OPTIONS)


@pytest.mark.parametrize("service", ["sockets", "sockets-2"])
def test_a_socket_process_sends_a_5000_agent_snapshot(service):
    command = socket_services()[service]
    port = free_port()
    options = command[1:-1]
    options[options.index("-b") + 1] = "127.0.0.1"
    options[options.index("-p") + 1] = str(port)
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", *options, BIG_MESSAGE_APP],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket = connect(f"ws://127.0.0.1:{port}/ws/floor/", max_size=None)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with socket:
            message = socket.recv(timeout=30)
        assert len(message) == SIZE
    finally:
        daphne.terminate()
        daphne.wait(timeout=20)
