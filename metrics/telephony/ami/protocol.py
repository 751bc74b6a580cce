"""A small asyncio client of Asterisk's Manager Interface (AMI), a plain text protocol over TCP.

Asterisk greets a connection with one line, `Asterisk Call Manager/<version>`. After that each
message is a block of `Key: Value` lines closed by an empty line (CRLF line ends). The client
sends `Action:` blocks, each with its own `ActionID`; the server answers with a `Response:`
block carrying the same ActionID. An action that lists things (QueueStatus, QueueSummary, ...)
answers `EventList: start` (older servers: a message ending "will follow") and then sends
events with that ActionID, the last of which is the `...Complete` event (`EventList:
Complete`). Every other `Event:` block is news from the server, handed to `on_event`.

No value may hold a line break: a CR or LF in a header would start a new header or a new
action, so `action_encode` refuses it.

Why not panoramisk, the best-known asyncio AMI client: its `Manager` keeps the reconnect loop
and the login inside its own callbacks, while the follower needs the back-off, the rebuild from
QueueStatus after each login and the link's state in its own hands; and its test helper replays
files instead of speaking TCP. What is left to write is this small module.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

BANNER_PREFIX = "Asterisk Call Manager/"
BLOCK_END = b"\r\n\r\n"
# A message larger than this is not AMI (the longest real ones are a few KiB).
MAX_BLOCK = 256 * 1024

Message = dict[str, str]


class AmiError(Exception):
    """The connection failed, closed, or did not speak AMI."""


class AmiLoginRefused(AmiError):
    """Asterisk refused the user name or secret (its message, never the secret)."""


class AmiActionError(AmiError):
    """Asterisk answered an action with `Response: Error`; `message` is its reason."""

    def __init__(self, action: str, message: str, response: Message):
        super().__init__(f"{action}: {message}")
        self.action = action
        self.message = message
        self.response = response


@dataclass
class AmiResponse:
    """An action's answer: its `Response:` block and, for a list action, its events in order."""

    response: Message
    events: list[Message] = field(default_factory=list)

    @property
    def message(self) -> str:
        return self.response.get("Message", "")


def message_parse(block: str) -> Message:
    """One AMI block as a dict (header names as sent; a repeated header keeps its last value)."""
    message: Message = {}
    for line in block.split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            # Not a header (the text of an old `Response: Follows` command): kept whole.
            message.setdefault("Output", "")
            message["Output"] += line + "\n"
            continue
        message[key.strip()] = value.strip()
    return message


def action_encode(action: str, headers: Mapping[str, object]) -> bytes:
    """The bytes of one action block; refuses a line break in any name or value."""
    lines = [("Action", action), *((k, "" if v is None else str(v)) for k, v in headers.items())]
    for key, value in lines:
        if any(ch in key or ch in value for ch in "\r\n") or ":" in key:
            raise ValueError(f"AMI header {key!r} of {action} holds a line break or a colon")
    return "".join(f"{key}: {value}\r\n" for key, value in lines).encode() + b"\r\n"


def _is_list_start(response: Message) -> bool:
    if response.get("EventList", "").lower() == "start":
        return True
    return response.get("Message", "").lower().endswith("will follow")


def _is_list_end(event: Message) -> bool:
    return event.get("EventList", "").lower() == "complete" or event.get("Event", "").endswith(
        "Complete"
    )


@dataclass
class _Pending:
    action: str
    future: asyncio.Future
    response: Message | None = None
    events: list[Message] = field(default_factory=list)


class AmiClient:
    """One AMI connection: `connect`, `login`, `send` actions, `logoff`.

    Events that answer no action go to `on_event` (called in the reader task, in order).
    `closed` is set when the connection ends, for whatever reason; `close_reason` says why.
    """

    def __init__(self, *, on_event: Callable[[Message], None] | None = None):
        self.on_event = on_event
        self.version = ""
        self.closed = asyncio.Event()
        self.close_reason = ""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._pending: dict[str, _Pending] = {}
        self._prefix = f"cf-{secrets.token_hex(4)}-"
        self._ids = itertools.count(1)

    async def connect(self, *, host: str, port: int, timeout: float = 10.0) -> str:
        """Open the TCP connection and read the banner; returns Asterisk's AMI version."""
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=MAX_BLOCK), timeout
            )
            banner = await asyncio.wait_for(self._reader.readline(), timeout)
        except (TimeoutError, OSError) as error:
            await self._shut(f"cannot connect to {host}:{port}: {error or 'timed out'}")
            raise AmiError(self.close_reason) from None
        text = banner.decode(errors="replace").strip()
        if not text.startswith(BANNER_PREFIX):
            await self._shut(f"{host}:{port} is not an Asterisk manager port")
            raise AmiError(self.close_reason)
        self.version = text[len(BANNER_PREFIX) :]
        self._task = asyncio.create_task(self._read_loop())
        return self.version

    async def login(
        self, *, username: str, secret: str, events: str = "call,agent", timeout: float = 10.0
    ) -> None:
        """Log in; `events` names the event classes to receive ("off" for none)."""
        try:
            await self.send(
                "Login", timeout=timeout, Username=username, Secret=secret, Events=events
            )
        except AmiActionError as error:
            raise AmiLoginRefused(error.message or "authentication failed") from None

    async def send(self, action: str, *, timeout: float = 10.0, **headers: object) -> AmiResponse:
        """Send one action and await its response (and, for a list action, its events)."""
        if self._writer is None or self.closed.is_set():
            raise AmiError(self.close_reason or "not connected")
        action_id = headers.pop("ActionID", None) or f"{self._prefix}{next(self._ids)}"
        data = action_encode(action, {**headers, "ActionID": action_id})
        pending = _Pending(action=action, future=asyncio.get_running_loop().create_future())
        self._pending[str(action_id)] = pending
        try:
            self._writer.write(data)
            await self._writer.drain()
            return await asyncio.wait_for(asyncio.shield(pending.future), timeout)
        except TimeoutError:
            raise AmiError(f"{action}: no answer within {timeout:g} s") from None
        except (OSError, ConnectionError) as error:
            raise AmiError(f"{action}: {error}") from None
        finally:
            self._pending.pop(str(action_id), None)

    async def logoff(self, *, timeout: float = 5.0) -> None:
        """Say goodbye (Asterisk answers `Response: Goodbye`) and close."""
        if not self.closed.is_set():
            with contextlib.suppress(AmiError):
                await self.send("Logoff", timeout=timeout)
        await self.close()

    async def close(self) -> None:
        await self._shut(self.close_reason or "closed by callfloor")
        if self._task and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def __aenter__(self) -> AmiClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _read_loop(self) -> None:
        assert self._reader is not None
        reason = "connection closed by Asterisk"
        try:
            while True:
                block = await self._reader.readuntil(BLOCK_END)
                self._dispatch(message_parse(block[: -len(BLOCK_END)].decode(errors="replace")))
        except asyncio.IncompleteReadError:
            pass
        except asyncio.LimitOverrunError:
            reason = "a message too large for AMI"
        except (OSError, ConnectionError) as error:
            reason = f"connection lost: {error}"
        except asyncio.CancelledError:
            reason = self.close_reason or "closed by callfloor"
            raise
        finally:
            await self._shut(reason)

    def _dispatch(self, message: Message) -> None:
        pending = self._pending.get(message.get("ActionID", ""))
        if "Response" in message and pending is not None and pending.response is None:
            pending.response = message
            if message["Response"].lower() == "error":
                self._resolve(
                    pending, AmiActionError(pending.action, message.get("Message", ""), message)
                )
            elif not _is_list_start(message):
                self._resolve(pending, AmiResponse(response=message))
            return
        if "Event" in message and pending is not None and pending.response is not None:
            pending.events.append(message)
            if _is_list_end(message):
                self._resolve(
                    pending, AmiResponse(response=pending.response, events=pending.events)
                )
            return
        if "Event" in message and self.on_event is not None:
            self.on_event(message)

    @staticmethod
    def _resolve(pending: _Pending, result: AmiResponse | Exception) -> None:
        if pending.future.done():
            return
        if isinstance(result, Exception):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)

    async def _shut(self, reason: str) -> None:
        if self.closed.is_set():
            return
        self.close_reason = reason
        self.closed.set()
        for pending in list(self._pending.values()):
            self._resolve(pending, AmiError(f"{pending.action}: {reason}"))
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await self._writer.wait_closed()
