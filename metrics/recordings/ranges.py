"""HTTP byte ranges (RFC 9110 §14): the one range a player asks for when it seeks."""

from __future__ import annotations

import re

_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


class Unsatisfiable(ValueError):
    """The request names bytes the file does not have (answered with 416)."""


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) bytes a `Range` header asks for; None for the whole file.

    `bytes=0-99`, `bytes=100-` and the suffix `bytes=-500` are served; a header of another
    unit is ignored (the whole file, as RFC 9110 allows); several ranges are served as the
    smallest one range covering them, which every player accepts. A reversed range, an empty
    suffix, a garbled spec or ranges that all start past the end are unsatisfiable.
    """
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    spans = []
    for spec in specs.split(","):
        match = _SPEC.fullmatch(spec)
        if not match or not (match.group(1) or match.group(2)):
            raise Unsatisfiable(header)
        first, last = match.group(1), match.group(2)
        if not first:  # a suffix: the last N bytes
            length = int(last)
            if length == 0:
                raise Unsatisfiable(header)
            if size:
                spans.append((max(0, size - length), size - 1))
            continue
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            raise Unsatisfiable(header)
        if start < size:
            spans.append((start, min(end, size - 1)))
    if not spans:
        raise Unsatisfiable(header)
    return min(s for s, _ in spans), max(e for _, e in spans)
