"""Synthetic call recordings for the demo: two voices taking turns, written with `wave`.

Each file is stereo at 8 kHz, 16 bits (the agent on the left, the caller on the right, as a
two-channel MixMonitor writes them): turns of a few seconds of a buzzy voice (a fundamental
with harmonics, its pitch drifting), cut into syllables, over a faint line hiss — enough for a
waveform to look like a conversation. No speech, no third-party audio library.
"""

from __future__ import annotations

import wave
from datetime import datetime
from pathlib import Path

import numpy as np

RATE = 8000


def _voice(rng: np.random.Generator, seconds: float, pitch: float) -> np.ndarray:
    """One turn of a voice: harmonics of a drifting pitch, shaped into syllables."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    drift = pitch * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(drift) / RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 7))
    # Syllables at about four a second, with short pauses between words.
    syllable_rate = rng.uniform(3.2, 4.8)
    envelope = np.clip(np.sin(np.pi * syllable_rate * t + rng.uniform(0, 3)), 0, None) ** 1.5
    words = (np.sin(2 * np.pi * rng.uniform(0.4, 0.8) * t + rng.uniform(0, 6)) > -0.6).astype(float)
    fricatives = rng.normal(0, 0.25, n) * (envelope < 0.2) * words
    fade = np.minimum(1, np.minimum(t, seconds - t) / 0.05)
    return (0.55 * tone * envelope * words + fricatives * 0.3) * fade


def conversation(*, seconds: float, seed: int) -> np.ndarray:
    """A (frames, 2) int16 array: agent left, caller right, speaking in turns."""
    rng = np.random.default_rng(seed)
    total = int(seconds * RATE)
    left = rng.normal(0, 0.01, total)
    right = rng.normal(0, 0.01, total)
    at, agent_turn = 0.3, True
    while at < seconds - 1:
        length = min(rng.uniform(1.5, 6.0), seconds - at - 0.2)
        pitch = rng.uniform(180, 220) if agent_turn else rng.uniform(105, 135)
        turn = _voice(rng, length, pitch) * rng.uniform(0.5, 0.8)
        start = int(at * RATE)
        channel = left if agent_turn else right
        channel[start : start + len(turn)] += turn
        at += length + rng.uniform(0.2, 0.9)
        agent_turn = not agent_turn
    stereo = np.stack([left, right], axis=1)
    peak = max(np.abs(stereo).max(), 1e-9)
    return (stereo / peak * 0.8 * 32767).astype("<i2")


def wav_write(path: Path, frames: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames.tobytes())


def freepbx_name(*, call_id: str, started: datetime, caller: str = "anonymous") -> str:
    """A file name as FreePBX's MixMonitor writes it for a queue call."""
    return f"q-9000-{caller}-{started:%Y%m%d-%H%M%S}-{call_id}.wav"


def demo_recording_write(
    *, directory: Path, call_id: str, started: datetime, seconds: float, seed: int
) -> Path:
    """Write one call's recording where a FreePBX would (YYYY/MM/DD/…-<call id>.wav)."""
    path = directory / f"{started:%Y/%m/%d}" / freepbx_name(call_id=call_id, started=started)
    wav_write(path, conversation(seconds=seconds, seed=seed))
    return path


def demo_recordings_seed(*, source, calls, directory: Path, retention_days: int = 90) -> int:
    """Give the demo source a FreePBX-style directory store, write a recording for each of
    `calls` and link them the way the periodic task does. Returns how many were linked."""
    from datetime import UTC, timedelta

    from metrics.recordings import services
    from metrics.recordings.models import FREEPBX_PATTERN, StoreKind

    store = services.recording_store_set(
        source=source,
        actor=None,
        kind=StoreKind.DIRECTORY,
        directory=str(directory.resolve()),
        file_pattern=FREEPBX_PATTERN,
        retention_days=retention_days,
    )
    calls = list(calls)
    for n, call in enumerate(calls):
        started = (call.answered_at or call.offered_at).astimezone(UTC)
        seconds = min(6 + (n * 11) % 55, call.talk_s or 60)
        demo_recording_write(
            directory=directory, call_id=call.call_id, started=started, seconds=seconds, seed=n
        )
    if not calls:
        return 0
    since = min(c.offered_at for c in calls)
    until = max(c.offered_at for c in calls) + timedelta(seconds=1)
    return services.recordings_link(store=store, since=since, until=until)
