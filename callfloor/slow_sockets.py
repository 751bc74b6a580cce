"""A WebSocket client that does not read must not make the server hold its messages forever.

Daphne writes each message to the socket's Twisted transport, which buffers in memory whatever
the client has not read yet, without a limit. A board whose browser hangs (a frozen tab, a TV
on a dead network that never sends a reset) would thus grow the server by every push it misses.
Before each message, the socket's unsent bytes are checked; past
`CALLFLOOR_WS_MAX_BUFFER_BYTES` the connection is aborted (freeing the buffer at once, and the
consumer gets its disconnect). A browser that wakes up reconnects and starts from a snapshot.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def unsent_bytes(transport) -> int:
    """Bytes a Twisted TCP transport holds for its peer (0 if it does not say)."""
    data = getattr(transport, "dataBuffer", b"")
    offset = getattr(transport, "offset", 0)
    return max(0, len(data) - offset) + getattr(transport, "_tempDataLen", 0)


def install(max_bytes: int) -> None:
    """Limit the unsent bytes of each Daphne WebSocket (no-op without Daphne, or 0)."""
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # another ASGI server
        return
    if max_bytes <= 0 or getattr(WebSocketProtocol, "callfloor_max_unsent", None) is not None:
        WebSocketProtocol.callfloor_max_unsent = max_bytes or None
        return
    WebSocketProtocol.callfloor_max_unsent = max_bytes
    send = WebSocketProtocol.serverSend

    def server_send(self, content, binary=False):
        limit = type(self).callfloor_max_unsent
        transport = getattr(self, "transport", None)
        if limit and transport is not None and unsent_bytes(transport) > limit:
            if not getattr(self, "callfloor_dropped", False):
                self.callfloor_dropped = True
                log.warning(
                    "dropped a WebSocket client that does not read (%s bytes unsent, limit %s)",
                    unsent_bytes(transport),
                    limit,
                )
                transport.abortConnection()
            return
        send(self, content, binary)

    WebSocketProtocol.serverSend = server_send
