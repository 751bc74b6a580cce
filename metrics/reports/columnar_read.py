"""Reading a queue_log file for the column path (`columnar`): polars' CSV reader on every
core, each text column numbered as it is read, and the checks made on the file's bytes (every
byte printable ASCII, no line twice). Anything this path does not reproduce exactly raises
`Unsupported`, and the caller hands the file to the engine."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import polars as pl


class Unsupported(Exception):
    """The file holds something only the engine reproduces exactly."""


def need(condition, why: str) -> None:
    if not condition:
        raise Unsupported(why)


def usual(data: bytes | str | os.PathLike) -> bool:
    """Whether every byte is printable ASCII or a line break (by numpy, which lets go of the
    GIL: the check runs beside the report's work)."""
    if isinstance(data, bytes):
        return _usual_piece(data)
    with open(data, "rb") as handle:
        while chunk := handle.read(2**22):
            if not _usual_piece(chunk):
                return False
    return True


def _usual_piece(chunk: bytes) -> bool:
    codes = np.frombuffer(chunk, dtype=np.uint8)
    # (0x20–0x7E, and 0x0A: nothing above 0x7E, and below 0x20 line breaks only)
    return bool(codes.max(initial=0) <= 0x7E) and np.count_nonzero(
        codes < 0x20
    ) == np.count_nonzero(codes == 0x0A)


# The columns read: the time, the call id, queue, member and event, then four data fields
# (no event this path reads has its numbers past the fourth; further fields are not read).
# Every text column but the second data field (callers and talk times: many distinct texts,
# read for a few kinds only) is numbered by the parser as it reads, each column a categorical
# of its own (`_schema`).
_CODED = (1, 2, 3, 4, 5, 7, 8)


def _schema() -> dict:
    return {
        "0": pl.Int64,
        **{
            str(i): pl.Categorical(pl.Categories.random()) if i in _CODED else pl.String
            for i in range(1, 9)
        },
    }


def read(data: bytes | str | os.PathLike) -> tuple[np.ndarray, list]:
    """The lines' times (int64) and their eight text columns (polars Series, categoricals
    but the second data field's texts)."""
    try:
        frame = pl.read_csv(
            source(data),
            has_header=False,
            separator="|",
            quote_char=None,
            schema=_schema(),
            truncate_ragged_lines=True,
            missing_columns="insert",
            empty_string_is_null=False,
            glob=False,  # (the file named, never others its name matches: "queue_log[1]")
        )
    except pl.exceptions.PolarsError as error:
        raise Unsupported(f"not read by the parser: {error}") from None
    if frame["0"].null_count():  # (empty lines, which are skipped, or lines without a time)
        need(frame["0"].null_count() == empty_lines(data), "a line without its time")
        frame = frame.filter(frame["0"].is_not_null())
    need(len(frame), "no line")
    return frame["0"].to_numpy(), [frame[str(i)] for i in range(1, 9)]


def empty_lines(data: bytes | str | os.PathLike) -> int:
    """How many lines of the file are empty."""
    if not isinstance(data, bytes):
        with open(data, "rb") as handle:
            data = handle.read()
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return int(breaks[:1].tolist() == [0]) + int((np.diff(breaks) == 1).sum())


def coded(column: pl.Series) -> tuple[np.ndarray, list[str]]:
    """A categorical column of categories of its own as codes (uint32, 0, 1, …) into its
    texts. (The parser reads an empty or missing field of a categorical as null: its code
    follows the others', its text is "".)"""
    physical = column.to_physical()
    nulls = physical.null_count()
    top = -1 if nulls == len(physical) else int(physical.max())
    codes = (physical.fill_null(top + 1) if nulls else physical).to_numpy()
    if top < 2**16:  # (a few texts: the categories', in the order of their codes)
        categories = column.dtype.categories.to_series()
        need(len(categories) == top + 1 and not categories.null_count(), "categories")
        texts = categories.to_list()
    else:  # (many: each code's text from its first row, cheaper than the categories')
        first = first_rows(codes, top + 2)
        need((first[: top + 1] >= 0).all(), "a category without a row")
        texts = column.gather(first[: top + 1]).cast(pl.String).to_list()
    if nulls:
        need("" not in texts, "an empty category")  # (never seen: empty fields are null)
        texts.append("")
    return codes, texts


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code below `size` (-1: a code no row has), by one scatter."""
    first = np.full(size, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


def factorized(texts: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Texts as codes into their distinct texts: numbered by their hashes, then each text
    compared with its code's first, so that two texts of one hash are never one."""
    codes, hashes = pd.factorize(texts.hash(0x5EED).to_numpy())
    first = first_rows(codes, len(hashes))
    distinct = texts.gather(first)
    if not (distinct.gather(codes) == texts).all():  # (never seen)
        codes, uniques = pd.factorize(texts.to_numpy())
        return codes, uniques.tolist()
    return codes, distinct.to_list()


def source(data: bytes | str | os.PathLike):
    return io.BytesIO(data) if isinstance(data, bytes) else data


def repeated_lines(data: bytes | str | os.PathLike, ts: np.ndarray, *columns: np.ndarray) -> bool:
    """Whether a line is in the file twice: lines of the same second, event, call, queue and
    member (rare) are compared by their text."""
    # (each step spreads the bits both ways, so that lines a second and an event name apart
    # do not look alike: every look-alike costs a comparison of the lines' texts)
    mixed = ts.astype(np.uint64)
    for codes in columns:
        with np.errstate(over="ignore"):
            np.multiply(mixed, np.uint64(0x9E3779B97F4A7C15), out=mixed)
        np.bitwise_xor(mixed, mixed >> np.uint64(29), out=mixed)
        np.bitwise_xor(mixed, codes.astype(np.uint64), out=mixed)
    if pl.Series(mixed).n_unique() == len(mixed):  # (the usual case, a cheaper test than the next)
        return False
    alike = pd.Series(mixed).duplicated(keep=False).to_numpy()
    if not isinstance(data, bytes):
        with open(data, "rb") as handle:
            data = handle.read()
    buffer = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(data)]))
    kept = ends > starts
    starts, ends = starts[kept], ends[kept]
    need(len(starts) == len(ts), "lines the parser skipped")
    texts = [data[a:b] for a, b in zip(starts[alike].tolist(), ends[alike].tolist(), strict=True)]
    return len(set(texts)) < len(texts)
