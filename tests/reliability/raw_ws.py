"""A WebSocket client on a plain socket, for tests that need control over reading."""

from __future__ import annotations

import base64
import secrets
import socket
import struct


class RawBoard:
    """A WebSocket client on a plain socket: it reads only when told to."""

    def __init__(self, port: int, cookie: bytes, *, receive_buffer: int | None = None) -> None:
        """Open the board's socket; `status` is the handshake's answer (101: accepted)."""
        self.sock = socket.socket()
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(10)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.sock.sendall(
            (
                f"GET /ws/floor/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
                f"Cookie: {cookie.decode()}\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head and (byte := self.sock.recv(1)):
            head += byte
        self.status = int(head.split(b" ", 2)[1]) if head else 0  # 101: open

    def _exact(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return bytes(data)

    def frame(self) -> tuple[int, bytes]:
        first, second = self._exact(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._exact(8))[0]
        return first & 0x0F, self._exact(length)

    def close(self) -> None:
        """Close as a browser does: a close frame (masked, code 1000), then the connection."""
        mask = secrets.token_bytes(4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(struct.pack("!H", 1000)))
        try:
            self.sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask + payload)
            self.sock.settimeout(5)
            while self.sock.recv(65536):  # until the server ends the connection
                pass
        except OSError:
            pass
        self.sock.close()

    def send(self, payload: bytes, *, opcode: int = 0x1) -> None:
        """Send one masked frame, as a browser does (0x1 text, 0x2 binary)."""
        mask = secrets.token_bytes(4)
        n = len(payload)
        if n < 126:
            head = bytes([0x80 | opcode, 0x80 | n])
        elif n < 65536:
            head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", n)
        else:
            head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def close_code(self) -> int | None:
        """Read past data frames to the server's close frame; its code (None: no code)."""
        while True:
            opcode, payload = self.frame()
            if opcode == 0x8:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
