"""The waveform of a call's recording, for the player to draw before anyone plays it.

The player draws these peaks (the loudest sample of each stretch, per channel, 0–1) over the
recording's duration, so opening a page neither downloads the recording nor counts as a listen.
Only uncompressed WAV is read here (Python's `wave`), a block at a time, never the whole file in
memory; the result is cached per file (store, location, size, modification time). For a file the
server cannot decode (MP3, GSM) or a recording behind an address, there are no peaks: the player
then draws the waveform once the recording is played.
"""

from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import numpy as np
from django.core.cache import cache

from metrics.recordings.selectors import AVAILABLE, Located

PEAKS_PER_CHANNEL = 1000
BLOCK_FRAMES = 64 * 1024
CACHE_SECONDS = 30 * 24 * 3600
_FULL_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}


def _samples(raw: bytes, width: int) -> np.ndarray:
    """PCM bytes as signed integers (WAV's 8-bit samples are unsigned)."""
    if width == 1:
        return np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128
    if width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return (value << 8) >> 8  # sign of the 24th bit
    return np.frombuffer(raw, dtype="<i2" if width == 2 else "<i4")


def wav_peaks(path: Path, *, count: int = PEAKS_PER_CHANNEL) -> dict | None:
    """`{"duration": seconds, "channels": n, "peaks": [[0–1] * ≤count] * n}` of a PCM WAV file,
    or None when it is not one `wave` can read."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width = wav.getnchannels(), wav.getsampwidth()
            rate, frames = wav.getframerate(), wav.getnframes()
            if frames <= 0 or rate <= 0 or channels <= 0 or width not in _FULL_SCALE:
                return None
            buckets = min(count, frames)
            loudest = np.zeros((buckets, channels), dtype=np.float64)
            done = 0
            while done < frames:
                raw = wav.readframes(min(BLOCK_FRAMES, frames - done))
                block = _samples(raw, width)
                n = len(block) // channels
                if n == 0:
                    break  # the header promised more than the file holds (still being written)
                block = np.abs(block[: n * channels].reshape(n, channels).astype(np.float64))
                # The stretch each frame belongs to; frames come in order, so stretches are runs.
                index = (np.arange(done, done + n, dtype=np.int64) * buckets) // frames
                starts = np.flatnonzero(np.diff(index, prepend=-1))
                runs = np.maximum.reduceat(block, starts, axis=0)
                at = index[starts]
                loudest[at] = np.maximum(loudest[at], runs)
                done += n
    except (wave.Error, EOFError, OSError, ValueError):
        return None
    peaks = np.round(np.minimum(loudest / _FULL_SCALE[width], 1.0), 3)
    return {
        "duration": round(frames / rate, 3),
        "channels": channels,
        "peaks": peaks.T.tolist(),
    }


def _cache_key(located: Located, path: Path) -> str | None:
    try:
        status = path.stat()
    except OSError:
        return None
    where = hashlib.sha256(str(path).encode()).hexdigest()[:32]
    store = located.store.pk if located.store is not None else 0
    return (
        f"recordings:peaks:v1:{store}:{where}:{status.st_size}:{status.st_mtime_ns}"
        f":{PEAKS_PER_CHANNEL}"
    )


def recording_peaks(*, located: Located) -> dict:
    """The waveform of an available recording; `peaks` and `duration` are None when the server
    cannot draw it (the player then draws it on first play)."""
    nothing = {"duration": None, "channels": None, "peaks": None}
    if located.status != AVAILABLE or located.path is None:
        return nothing
    if located.path.suffix.lower() != ".wav" and located.content_type != "audio/wav":
        return nothing
    key = _cache_key(located, located.path)
    if key is None:
        return nothing
    cached = cache.get(key)
    if cached is not None:
        return cached
    waveform = wav_peaks(located.path) or nothing
    cache.set(key, waveform, CACHE_SECONDS)
    return waveform
