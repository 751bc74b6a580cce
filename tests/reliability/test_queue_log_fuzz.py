"""Hostile queue_log input: real FreePBX lines, mutated, through the parser and the engine.

Whatever a line becomes, the import never crashes; a line it cannot read is rejected with its
line number, and then every figure equals that of the log without the line (the untouched lines
keep their KPIs).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.reports.offline import build_report
from tests.conftest import HYPOTHESIS_SUPPRESSED, shared_data

EXAMPLES = 150


def real_lines() -> list[str]:
    with open(shared_data("asterisk/freepbx-2010-queue_log"), encoding="utf-8") as handle:
        return handle.readlines()


LINES = None


def lines() -> list[str]:
    global LINES
    if LINES is None:
        LINES = real_lines()
    return LINES


def report(rows: list[str]) -> dict:
    # A fixed end of the day, so that dropping the last line does not move the clock.
    return build_report(lambda: iter(rows), now=1266844579.0)


HOSTILE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
)
HOSTILE_NUMBERS = st.sampled_from(
    [
        "inf",
        "-inf",
        "nan",
        "1e308",
        "1e400",
        "-1",
        "-0",
        "99999999999999999999",
        "0x10",
        "1_0",
        "",
        " ",
        "NONE",
        "1266833911.5.5",
        "\x00",
        "٣",
        "1e-400",
    ]
)


@st.composite
def mutated(draw):
    """(index, new text) of one real line changed the way a broken writer or disk would."""
    rows = lines()
    index = draw(st.integers(0, len(rows) - 1))
    text = rows[index].rstrip("\n")
    fields = text.split("|")
    kind = draw(
        st.sampled_from(
            ["field", "number", "truncate", "insert", "drop_field", "bytes", "pipes", "time"]
        )
    )
    if kind == "field":
        position = draw(st.integers(0, len(fields) - 1))
        fields[position] = draw(HOSTILE_TEXT)
        text = "|".join(fields)
    elif kind == "number":
        position = draw(st.integers(0, len(fields) - 1))
        fields[position] = draw(HOSTILE_NUMBERS)
        text = "|".join(fields)
    elif kind == "time":
        fields[0] = draw(HOSTILE_NUMBERS)
        text = "|".join(fields)
    elif kind == "truncate":
        text = text[: draw(st.integers(0, max(len(text) - 1, 0)))]
    elif kind == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(HOSTILE_TEXT) + text[at:]
    elif kind == "drop_field" and len(fields) > 1:
        del fields[draw(st.integers(0, len(fields) - 1))]
        text = "|".join(fields)
    elif kind == "bytes":
        raw = bytearray(text.encode())
        for _ in range(draw(st.integers(1, 4))):
            if raw:
                raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        text = raw.decode("utf-8", errors="replace")
    else:
        text = text.replace("|", draw(st.sampled_from(["||", "|||", "", ";", "|\r"])))
    return index, text.replace("\n", " ") + "\n"


def _figures(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "lines"}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=HYPOTHESIS_SUPPRESSED,
)
@given(mutated())
def test_a_mutated_line_never_crashes_and_never_moves_untouched_figures(change):
    index, text = change
    rows = list(lines())
    rows[index] = text
    result = report(rows)  # must not raise, whatever the line became
    build_report(lambda: iter(rows))  # nor with the clock left to the log itself
    rejected = {item["line"]: item["reason"] for item in result["lines"]["rejected"]}
    assert set(rejected) <= {index + 1}, rejected  # only the mutated line, by its number
    if rejected:
        assert rejected[index + 1]
        without = report(rows[:index] + rows[index + 1 :])
        assert _figures(result) == _figures(without)


def test_the_untouched_log_reads_whole():
    result = report(lines())
    assert result["lines"]["rejected"] == []
    assert result["queues"]["9000"]["offered"] == 21


def test_binary_garbage_and_huge_lines_are_rejected_by_number():
    rows = list(lines())
    rows.insert(10, "\x00\x01\x02|||||\n")
    rows.insert(20, "1266833911|" + "x" * 200_000 + "\n")
    rows.insert(30, "inf|c|9000|NONE|ENTERQUEUE||1\n")
    rows.insert(40, "1e400|c|9000|NONE|ENTERQUEUE||1\n")
    result = report(rows)
    assert [item["line"] for item in result["lines"]["rejected"]] == [11, 21, 31, 41]
    assert _figures(result) == _figures(report(lines()))


def test_the_reason_of_a_huge_line_quotes_only_its_start():
    # Every reason is kept with the source's import counts: a megabyte of garbage in one field
    # was quoted whole.
    rows = list(lines())
    rows.insert(5, "7" * 200_000 + "|c|9000|NONE|ENTERQUEUE||1\n")
    rows.insert(6, "1266833911|c|9000|NONE|" + "E" * 200_000 + "\n")
    rows.insert(7, "1266833911|c|9000|NONE|ABANDON|1|1|" + "-" * 200_000 + "\n")
    rejected = report(rows)["lines"]["rejected"]
    assert [item["line"] for item in rejected] == [6, 7, 8]
    assert rejected[0]["reason"] == (
        f"time is not a valid epoch: {'7' * 40!r}… (200000 characters)"
    )
    assert rejected[1]["reason"] == "event longer than 40 characters"
    assert all(len(item["reason"]) < 120 for item in rejected)
