"""Bad frames on the board's socket, through Daphne: each is closed with the application's own
close code (4000–4999: Daphne refuses 1007/1009 from an application and answers 1011 instead),
and the socket's place among the session's sockets is given back, so however many bad frames a
browser sends, its next socket opens at once."""

from __future__ import annotations

import json

import pytest

from metrics.board import consumers
from tests.metrics.board.conftest import session_headers
from tests.reliability.raw_ws import RawBoard

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CAP = 3

BAD_FRAMES = [
    (b"{not json", 0x1, consumers.CLOSE_INVALID),
    (b"\xff\x00" * 8, 0x2, consumers.CLOSE_UNSUPPORTED),
    (json.dumps({"type": "resync", "pad": "x" * 10_000}).encode(), 0x1, consumers.CLOSE_TOO_BIG),
]


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setenv("CALLFLOOR_WS_MAX_PER_SESSION", str(CAP))  # read by the server process


def test_close_codes_are_the_applications_own():
    codes = {consumers.CLOSE_INVALID, consumers.CLOSE_UNSUPPORTED, consumers.CLOSE_TOO_BIG}
    assert all(4000 <= code <= 4999 for code in codes) and len(codes) == 3


def test_bad_frames_close_with_their_code_and_give_the_place_back(cast, small_cap, live_asgi):
    cookie = dict(session_headers(cast.sam))[b"cookie"]
    for round_ in range(3 * CAP):  # three times the cap of the session's sockets
        payload, opcode, expected = BAD_FRAMES[round_ % len(BAD_FRAMES)]
        board = RawBoard(live_asgi.port, cookie)
        assert board.status == 101, f"socket {round_ + 1} refused after bad frames"
        opcode_in, snapshot = board.frame()
        assert opcode_in == 0x1 and json.loads(snapshot)["type"] == "snapshot"
        board.send(payload, opcode=opcode)
        assert board.close_code() == expected
        board.close()
    board = RawBoard(live_asgi.port, cookie)  # right away: no place is left to go stale
    assert board.status == 101
    assert json.loads(board.frame()[1])["type"] == "snapshot"
    board.close()
