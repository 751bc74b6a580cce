"""The benchmarks behind `make bench`, `make bench-board`, `make bench-floor`,
`make bench-recordings` and `make loadtest` (each module's docstring says what it measures)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def setup_django() -> None:
    """Django for a bench process started from the checkout."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
    import django

    django.setup()
