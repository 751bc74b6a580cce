"""A moment written as a clock: "1:05", "0:07.5", "1:02:03" or plain seconds ("65")."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from callfloor.errors import DomainError

CLOCK = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d{1,3})?)$")


def clock_to_ms(text: str, *, field: str) -> int:
    match = CLOCK.match(text.strip())
    if match is None:
        raise DomainError(
            _("%(text)s is not a time in the call (write it as m:ss, e.g. 1:05).")
            % {"text": repr(text.strip())},
            field=field,
        )
    hours, minutes, seconds = match.groups()
    if minutes is not None and float(seconds) >= 60:
        raise DomainError(
            _("%(text)s is not a time in the call (write it as m:ss, e.g. 1:05).")
            % {"text": repr(text.strip())},
            field=field,
        )
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    return round(total * 1000)


def clocks_to_ms(text: str, *, field: str) -> list[int]:
    """Several times separated by spaces or commas."""
    return [clock_to_ms(part, field=field) for part in re.split(r"[\s,;]+", text) if part]


def ms_to_clock(ms: int) -> str:
    seconds = int(ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def highlight_from(post) -> dict | None:
    """The library form's highlighted moment ("highlight_at" as m:ss, "highlight_note")."""
    text = post.get("highlight_at", "").strip()
    if not text:
        return None
    return {
        "at_ms": clock_to_ms(text, field="highlight_at"),
        "note": post.get("highlight_note", ""),
    }
