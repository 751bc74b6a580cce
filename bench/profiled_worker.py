"""The floor's Celery worker under cProfile, in windows: `bench.board` runs it instead of the
plain worker when `BENCH_PROFILE_WORKER` names a folder.

    BENCH_PROFILE_WORKER=var/bench/profile python -m bench.board --floor standard --boards 1,1

Every task the worker runs is profiled (CPU time of the process: the channel layer's thread
counts too); the profile of each `BENCH_PROFILE_WINDOW_S` (20 s) window of tasks is written
to `worker-<n>.prof` in the folder, with the number of tasks and their CPU in
`worker-<n>.txt`, so the phases of a bench run can be compared
(`python -m pstats var/bench/profile/worker-3.prof`).
"""

from __future__ import annotations

import cProfile
import os
import sys
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun

FOLDER = Path(os.environ["BENCH_PROFILE_WORKER"])
WINDOW_S = float(os.environ.get("BENCH_PROFILE_WINDOW_S", "20"))
_window = {"n": 0, "start": time.monotonic(), "tasks": 0, "cpu": 0.0}
_profile = cProfile.Profile(time.process_time)
_started: dict[str, float] = {}


@task_prerun.connect
def _begin(task_id=None, **kwargs) -> None:
    _started[task_id] = time.process_time()
    _profile.enable()


@task_postrun.connect
def _end(task_id=None, **kwargs) -> None:
    global _profile
    _profile.disable()
    _window["tasks"] += 1
    _window["cpu"] += time.process_time() - _started.pop(task_id, time.process_time())
    if time.monotonic() - _window["start"] < WINDOW_S:
        return
    n = _window["n"]
    _profile.dump_stats(FOLDER / f"worker-{n}.prof")
    (FOLDER / f"worker-{n}.txt").write_text(
        f"window {n}: {_window['tasks']} tasks, {1000 * _window['cpu']:.0f} ms CPU, "
        f"{1000 * _window['cpu'] / _window['tasks']:.1f} ms a task\n"
    )
    _profile = cProfile.Profile(time.process_time)
    _window.update(n=n + 1, start=time.monotonic(), tasks=0, cpu=0.0)


if __name__ == "__main__":
    FOLDER.mkdir(parents=True, exist_ok=True)
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    main()
