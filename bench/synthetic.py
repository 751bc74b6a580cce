"""A synthetic queue_log day of a large centre, shaped by a real arrival curve.

The five-minute arrival counts of a bank's call centre (weekdays 07:00–21:00) are averaged by
time of day, scaled to the wanted number of calls and spread uniformly inside each slot. Agents
log in before 07:00 and out after 21:00; each call goes to the agent free first, the caller
abandons after an exponential patience (mean 90 s) or times out after 300 s; answered calls
ring 2–8 s, talk an exponential 130 s (at least 10 s) and most get 5–40 s of after-call work.
Some calls ring another member first (missed or unreachable).
"""

from __future__ import annotations

import csv
import heapq
import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

LINES_PER_CALL = 4.5  # measured on generated days: sizes a day from a line target


def arrival_shape(csv_path: Path) -> list[float]:
    """Mean calls per five-minute slot from 07:00 (168 slots), averaged over the days."""
    sums: dict[int, float] = defaultdict(float)
    days: set[str] = set()
    with open(csv_path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            stamp = row["DateTime"]
            days.add(stamp[:10])
            slot = (int(stamp[11:13]) - 7) * 12 + int(stamp[14:16]) // 5
            if 0 <= slot < 168:
                sums[slot] += float(row["Calls"])
    return [sums[slot] / len(days) for slot in range(168)]


def generate_day(
    path: Path,
    *,
    csv_path: Path,
    agents: int = 1000,
    target_lines: int = 1_500_000,
    queues: int = 10,
    seed: int = 1,
    day: datetime = datetime(2026, 3, 2, tzinfo=UTC),
) -> dict:
    rng = random.Random(seed)
    shape = arrival_shape(csv_path)
    calls_wanted = int(target_lines / LINES_PER_CALL)
    scale = calls_wanted / sum(shape)
    t_open = int(day.replace(hour=7).timestamp())
    rows: list[tuple[int, int, str]] = []
    seq = 0

    def emit(ts: float, text: str) -> None:
        nonlocal seq
        seq += 1
        rows.append((int(ts), seq, text))

    members = [f"PJSIP/{1000 + i}" for i in range(agents)]
    queue_names = [f"q{i + 1:02d}" for i in range(queues)]
    free: list[tuple[float, int]] = []
    for i, member in enumerate(members):
        login = t_open - 600 + rng.randint(0, 540)
        emit(login, f"NONE|{queue_names[i % queues]}|{member}|ADDMEMBER|")
        heapq.heappush(free, (login, i))

    arrivals = []
    for slot, mean in enumerate(shape):
        count = max(0, round(rng.gauss(mean * scale, (mean * scale) ** 0.5)))
        start = t_open + slot * 300
        arrivals += [start + rng.random() * 300 for _ in range(count)]
    arrivals.sort()
    outcomes: dict[str, int] = defaultdict(int)
    for n, arrival in enumerate(arrivals):
        cid = f"{int(arrival)}.{n}"
        queue = queue_names[rng.randrange(queues)]
        emit(arrival, f"{cid}|{queue}|NONE|ENTERQUEUE||0470{rng.randrange(10**6):06d}|1")
        patience = rng.expovariate(1 / 90)
        free_at, agent = heapq.heappop(free)
        wait = max(0.0, free_at - arrival)
        if wait > min(patience, 300):
            heapq.heappush(free, (free_at, agent))
            left = min(patience, 300)
            if patience >= 300:
                emit(arrival + left, f"{cid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{int(left)}")
                outcomes["timeout"] += 1
            else:
                emit(arrival + left, f"{cid}|{queue}|NONE|ABANDON|1|1|{int(left)}")
                outcomes["abandoned"] += 1
            continue
        member = members[agent]
        if rng.random() < 0.3:
            other = members[rng.randrange(agents)]
            emit(
                arrival + wait,
                f"{cid}|{queue}|{other}|RINGNOANSWER|{rng.choice([0, 15000, 15000, 8000])}",
            )
        ring = rng.randint(2, 8)
        answered = arrival + wait + ring
        emit(answered, f"{cid}|{queue}|{member}|CONNECT|{int(answered - arrival)}|{cid}9|{ring}")
        talk = max(10, int(rng.expovariate(1 / 130)))
        end = answered + talk
        if rng.random() < 0.05:
            emit(
                end,
                f"{cid}|{queue}|{member}|BLINDTRANSFER|2000|from-internal|"
                f"{int(answered - arrival)}|{talk}|1",
            )
        else:
            emit(
                end,
                f"{cid}|{queue}|{member}|COMPLETE{rng.choice(['AGENT', 'CALLER'])}|"
                f"{int(answered - arrival)}|{talk}|1",
            )
        busy_until = end
        if rng.random() < 0.8:
            acw = rng.randint(5, 40)
            emit(end + 1, f"NONE|NONE|{member}|PAUSEALL|ACW")
            emit(end + 1 + acw, f"NONE|NONE|{member}|UNPAUSEALL|")
            busy_until = end + 1 + acw
        outcomes["answered"] += 1
        heapq.heappush(free, (busy_until + 1, agent))
    t_close = t_open + 168 * 300
    for i, member in enumerate(members):
        emit(
            t_close + 300 + rng.randint(0, 600),
            f"NONE|{queue_names[i % queues]}|{member}|REMOVEMEMBER|",
        )
    rows.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(f"{ts}|{text}\n" for ts, _, text in rows)
    return {"lines": len(rows), "calls": len(arrivals), "agents": agents, **outcomes}
