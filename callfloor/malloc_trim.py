"""Hand the C heap's free pages back to the system every so often (glibc's `malloc_trim`).

glibc returns freed memory to the system only from the top of each heap. A request that builds
a large result (a report's rows, a big batch of events) leaves free space in the middle of the
heap once it is done; the next such request reuses some of it, but as long-lived objects end
up between the holes, the process's resident memory ratchets up with each new peak although
the memory in use does not grow. `malloc_trim(0)` releases the whole free pages inside the
heaps too. The API server calls it from a daemon thread every `CALLFLOOR_MALLOC_TRIM_S`
seconds (30 by default; 0 turns it off); it takes a few milliseconds and releases the GIL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def trimmer() -> Callable[[], bool] | None:
    """`malloc_trim(0)` of the C library (True when memory was released), or None without glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: bool(trim(0))


def start(every_s: float, *, stop: threading.Event | None = None) -> threading.Thread | None:
    """A daemon thread trimming every `every_s` seconds (until `stop` is set); None when off
    or not glibc."""
    trim = trimmer()
    if every_s <= 0 or trim is None:
        return None
    stop = stop or threading.Event()

    def run() -> None:
        while not stop.wait(every_s):
            try:
                trim()
            except Exception:  # never let housekeeping end the server
                log.exception("malloc_trim failed")
                return

    thread = threading.Thread(target=run, name="malloc-trim", daemon=True)
    thread.start()
    return thread
