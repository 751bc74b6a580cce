"""A scripted Asterisk Manager Interface server for tests: the real protocol over TCP.

It sends the banner, answers `Login` (success or failure), answers every action with the
`ActionID` it was given, records every action it receives, answers the actions a test
scripted (Success or Error with a Message, and the events that follow a list action), pushes
events to the logged-in connections, drops connections and stops or resumes listening.

It runs its own event loop in a thread, so sync tests (Django's ORM) and async tests alike
call its methods directly. The message formats follow Asterisk's AMI documentation (16–22):
https://docs.asterisk.org/Asterisk_22_Documentation/API_Documentation/AMI_Actions/ and
.../AMI_Events/.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "data" / "ami"

Block = dict[str, str]
# A scripted answer: the Response block's headers and the events that follow it (None: no
# answer at all).
Handler = Callable[[Block], tuple[Block, list[Block]] | None]


def block_encode(block: Mapping[str, object]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in block.items()).encode() + b"\r\n"


def block_parse(text: str) -> Block:
    block: Block = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            block[key.strip()] = value.strip()
    return block


def transcript_blocks(text: str) -> list[Block]:
    """The blocks of a transcript file: AMI blocks separated by empty lines, `#` comments."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    blocks, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(block_parse("\n".join(current)))
            current = []
    return blocks


def transcript(name: str) -> list[Block]:
    return transcript_blocks((TRANSCRIPTS / name).read_text())


def transcript_parts(name: str) -> list[list[Block]]:
    """The parts of a transcript separated by `## DROP` lines (where the connection drops)."""
    text = (TRANSCRIPTS / name).read_text()
    return [transcript_blocks(part) for part in text.split("\n## DROP\n")]


@dataclass
class Script:
    handler: Handler
    once: bool = False


@dataclass
class _Connection:
    writer: asyncio.StreamWriter
    logged_in: bool = False
    events: bool = True


@dataclass
class ScriptedAmiServer:
    """The server; start it with `start()` (a thread of its own) or the `ami_server` fixture."""

    username: str = "callfloor"
    secret: str = "s3cret-manager-pass"
    version: str = "9.0.0"
    host: str = "127.0.0.1"
    port: int = 0
    # Every action received, in order, as sent (the Login's secret included: tests assert it).
    actions: list[Block] = field(default_factory=list)
    logins: int = 0
    failed_logins: int = 0
    accepted: int = 0

    def __post_init__(self) -> None:
        self._scripts: dict[str, list[Script]] = {}
        self._connections: list[_Connection] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._changed = threading.Condition()

    # --- life -------------------------------------------------------------------------------

    def start(self) -> ScriptedAmiServer:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        self._call(self._stop_listening())
        self.drop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def stop_listening(self) -> None:
        """Refuse new connections (Asterisk down); the port stays the same for `resume`."""
        self._call(self._stop_listening())

    def resume(self) -> None:
        self._call(self._listen())

    def drop(self) -> None:
        """Close every open connection, as a restarting Asterisk or a broken network does."""
        self._call(self._drop())

    # --- scripting --------------------------------------------------------------------------

    def script(
        self,
        action: str,
        *,
        response: str = "Success",
        message: str = "",
        headers: Mapping[str, str] | None = None,
        events: Iterable[Block] = (),
        once: bool = False,
    ) -> None:
        """Answer `action` with this response (and these events after it) from now on.

        A list action's events get its ActionID; give the closing `...Complete` event too.
        """
        fixed_events = [dict(e) for e in events]
        head: Block = {"Response": response}
        if fixed_events:
            head["EventList"] = "start"
        if message:
            head["Message"] = message
        head.update(headers or {})
        self.script_with(
            action, lambda _action: (dict(head), [dict(e) for e in fixed_events]), once=once
        )

    def script_with(self, action: str, handler: Handler, *, once: bool = False) -> None:
        """Answer `action` with what `handler(action_block)` returns: (response, events) or None."""
        with self._changed:
            self._scripts.setdefault(action.lower(), []).append(Script(handler, once))

    def push(self, *events: Block) -> None:
        """Send events to every logged-in connection that asked for events."""
        self._call(self._push(list(events)))

    # --- assertions -------------------------------------------------------------------------

    def actions_named(self, action: str) -> list[Block]:
        with self._changed:
            return [a for a in self.actions if a.get("Action", "").lower() == action.lower()]

    def wait_for(self, predicate: Callable[[ScriptedAmiServer], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"AMI server: condition not met within {timeout} s")
                self._changed.wait(left)

    def wait_for_action(self, action: str, count: int = 1, timeout: float = 10) -> Block:
        self.wait_for(lambda s: len(s.actions_named(action)) >= count, timeout)
        return self.actions_named(action)[count - 1]

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    # --- the server ---------------------------------------------------------------------------

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _drop(self) -> None:
        for connection in list(self._connections):
            connection.writer.close()
        self._connections.clear()
        self._notify()

    async def _push(self, events: list[Block]) -> None:
        for connection in list(self._connections):
            if connection.logged_in and connection.events:
                for event in events:
                    connection.writer.write(block_encode(event))
                with contextlib.suppress(ConnectionError):
                    await connection.writer.drain()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(writer)
        self._connections.append(connection)
        self.accepted += 1
        self._notify()
        writer.write(f"Asterisk Call Manager/{self.version}\r\n".encode())
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                action = block_parse(raw.decode(errors="replace"))
                with self._changed:
                    self.actions.append(action)
                for block in self._answer(connection, action):
                    writer.write(block_encode(block))
                await writer.drain()
                self._notify()
                if action.get("Action", "").lower() == "logoff":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if connection in self._connections:
                self._connections.remove(connection)
            writer.close()
            self._notify()

    def _answer(self, connection: _Connection, action: Block) -> Iterator[Block]:
        name = action.get("Action", "")
        action_id = action.get("ActionID")
        tag = {"ActionID": action_id} if action_id else {}
        lowered = name.lower()
        if lowered == "login":
            if action.get("Username") == self.username and action.get("Secret") == self.secret:
                connection.logged_in = True
                connection.events = action.get("Events", "on").lower() != "off"
                self.logins += 1
                yield {"Response": "Success", **tag, "Message": "Authentication accepted"}
                if connection.events:
                    yield {
                        "Event": "FullyBooted",
                        "Privilege": "system,all",
                        "Status": "Fully Booted",
                    }
            else:
                self.failed_logins += 1
                yield {"Response": "Error", **tag, "Message": "Authentication failed"}
            return
        if lowered == "logoff":
            yield {"Response": "Goodbye", **tag, "Message": "Thanks for all the fish."}
            return
        if not connection.logged_in:
            yield {"Response": "Error", **tag, "Message": "Missing action in request"}
            return
        with self._changed:
            # A one-time answer first (in the order scripted), else the latest lasting one.
            scripts = self._scripts.get(lowered, [])
            script = next((s for s in scripts if s.once), None)
            if script is not None:
                scripts.remove(script)
            else:
                script = next((s for s in reversed(scripts) if not s.once), None)
        if script is not None:
            answer = script.handler(action)
            if answer is None:  # scripted silence: Asterisk busy, or the network lost it
                return
            head, events = answer
            yield {"Response": head.pop("Response", "Success"), **tag, **head}
            for event in events:
                yield {**event, **tag}
            return
        if lowered == "ping":
            yield {"Response": "Success", **tag, "Ping": "Pong", "Timestamp": f"{time.time():.6f}"}
        elif lowered in ("queuestatus", "queuesummary"):
            complete = "QueueStatusComplete" if lowered == "queuestatus" else "QueueSummaryComplete"
            yield {
                "Response": "Success",
                **tag,
                "EventList": "start",
                "Message": "Queue status will follow",
            }
            yield {"Event": complete, **tag, "EventList": "Complete", "ListItems": "0"}
        elif lowered == "events":
            yield {"Response": "Success", **tag, "Events": action.get("EventMask", "on")}
        else:
            yield {"Response": "Error", **tag, "Message": "Invalid/unknown command"}


@pytest.fixture
def ami_server() -> Iterator[ScriptedAmiServer]:
    """A scripted AMI server on a free port of 127.0.0.1, stopped after the test."""
    server = ScriptedAmiServer().start()
    try:
        yield server
    finally:
        server.stop()
