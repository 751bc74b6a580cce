"""Recording fixtures: the quality world's calls with a FreePBX-style directory store.

ann's call 1001 and bob's call 2001 have recordings (generated stereo WAV) under a temporary
spool directory laid out as /var/spool/asterisk/monitor/YYYY/MM/DD/…-<uniqueid>.wav.
"""

from __future__ import annotations

from datetime import UTC, timedelta
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
