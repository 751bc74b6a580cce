"""The waveform's peaks: drawn on the server from a WAV a block at a time, per channel, cached
per file, answered to the people who may hear the call and never counted as a listen."""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from metrics.recordings import peaks

RATE = 8000


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def halves_wav(path, *, seconds: float = 10.0, width: int = 2) -> None:
    """Stereo: the left side loud (0.5) in the first half and silent after; the right side
    silent in the first half and quieter (0.25) in the second."""
    frames = int(seconds * RATE)
    half = frames // 2
    sign = np.where(np.arange(frames) % 2, 1.0, -1.0)  # a square wave at full level
    left = np.where(np.arange(frames) < half, 0.5, 0.0) * sign
    right = np.where(np.arange(frames) < half, 0.0, 0.25) * sign
    scale = {1: 127, 2: 32767, 3: 8388607, 4: 2147483647}[width]
    stereo = (np.stack([left, right], axis=1) * scale).round().astype(np.int64)
    if width == 1:
        raw = (stereo + 128).astype(np.uint8).tobytes()
    elif width == 3:
        as32 = stereo.astype("<i4").tobytes()
        raw = b"".join(as32[i : i + 3] for i in range(0, len(as32), 4))
    else:
        raw = stereo.astype("<i2" if width == 2 else "<i4").tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(width)
        out.setframerate(RATE)
        out.writeframes(raw)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_each_channel_has_its_own_peaks(tmp_path, width, monkeypatch):
    path = tmp_path / "halves.wav"
    halves_wav(path, width=width)
    # Blocks far smaller than the file, and not a multiple of a stretch: runs cross blocks.
    monkeypatch.setattr(peaks, "BLOCK_FRAMES", 777)

    waveform = peaks.wav_peaks(path, count=400)

    assert waveform["duration"] == 10.0 and waveform["channels"] == 2
    left, right = waveform["peaks"]
    assert len(left) == len(right) == 400
    assert left[:200] == pytest.approx([0.5] * 200, abs=0.01)
    assert left[200:] == [0.0] * 200
    assert right[:200] == [0.0] * 200
    assert right[200:] == pytest.approx([0.25] * 200, abs=0.01)


def test_a_short_file_has_a_peak_per_frame_and_a_broken_one_none(tmp_path):
    path = tmp_path / "short.wav"
    halves_wav(path, seconds=0.01)  # 80 frames
    waveform = peaks.wav_peaks(path, count=1000)
    assert len(waveform["peaks"][0]) == 80
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot a wav at all")
    assert peaks.wav_peaks(junk) is None


def _peaks_of(user, call):
    client = Client()
    client.force_login(user)
    return client.get(reverse("recordings:peaks", kwargs={"call_id": call.pk}))


def test_the_endpoint_answers_peaks_and_records_no_listen(cast, world, recorded):
    from metrics.recordings.models import RecordingListen

    halves_wav(recorded.files[world.ann_call.call_id], seconds=4)

    response = _peaks_of(cast.ann, world.ann_call)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["duration"] == 4.0 and body["channels"] == 2
    assert len(body["peaks"]) == 2 and len(body["peaks"][0]) == peaks.PEAKS_PER_CHANNEL
    assert max(body["peaks"][0]) == pytest.approx(0.5, abs=0.01)
    assert not RecordingListen.objects.exists()


def test_the_peaks_are_cached_per_file_until_it_changes(cast, world, recorded):
    path = recorded.files[world.ann_call.call_id]
    halves_wav(path, seconds=4)
    first = _peaks_of(cast.ann, world.ann_call).json()
    stamp = path.stat()
    # Same size and time, other samples: the page answers from the cache, without the file.
    path.write_bytes(path.read_bytes()[:44] + bytes(stamp.st_size - 44))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert _peaks_of(cast.ann, world.ann_call).json() == first
    # The PBX rewrote it: the new file is read.
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    assert max(_peaks_of(cast.ann, world.ann_call).json()["peaks"][0]) == 0.0


def test_no_peaks_for_an_mp3_or_an_address_and_no_answer_for_a_missing_file(
    cast, world, recorded, pbx_http
):
    from metrics.recordings import services
    from metrics.recordings.models import Recording, StoreKind
    from tests.recordings.conftest import spool_path

    mp3 = spool_path(recorded.spool, world.ann_call, ext="mp3")
    mp3.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(4000))
    relative = mp3.relative_to(recorded.spool).as_posix()
    Recording.objects.filter(call_id=world.ann_call.call_id).update(
        location=relative, content_type="audio/mpeg"
    )
    assert _peaks_of(cast.ann, world.ann_call).json() == {
        "duration": None,
        "channels": None,
        "peaks": None,
    }
    mp3.unlink()
    assert _peaks_of(cast.ann, world.ann_call).status_code == 404

    services.recording_store_set(
        source=world.source,
        actor=None,
        kind=StoreKind.URL_TEMPLATE,
        url_template=pbx_http.url + "/recordings/{recording}",
    )
    Recording.objects.filter(call_id=world.ann_call.call_id).update(location="ann-1001.mp3")
    pbx_http.files["ann-1001.mp3"] = b"ID3" + bytes(4000)
    response = _peaks_of(cast.ann, world.ann_call)
    assert response.status_code == 200 and response.json()["peaks"] is None
    assert pbx_http.seen == []  # nothing of the call was fetched to answer
