"""Which part of a run one shard makes (`--shard K/N`): a deterministic split of the selected
requirements over N shards, balanced by what each requirement costs.

Every requirement is owned by exactly one shard, which runs all of its tests, but a laned one
(LANED: the state machine), whose work divides into independent lanes: in a run of N parts it
runs as up to N lanes, lane k in part k + 1, each a share of its work, so the longest test of
the suite is not one part's. A test that judges every exchange of the run (marked
`scans_the_run`) runs in every shard as well, over that shard's exchanges, so that `merge`
judges the run-wide requirements over all of them. The split depends only on the selected ids,
the lanes each laned one may take, and COSTS, so it is stable for a suite version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "COSTS",
    "LANED",
    "SCANS_THE_RUN",
    "STATE_MACHINE",
    "WHOLE",
    "Lane",
    "Shard",
    "lane_of",
    "owned",
    "parse_shard",
    "split",
]

SCANS_THE_RUN = "scans_the_run"
"""The marker of a test that judges the whole run's journal rather than requests of its own."""

COSTS: dict[str, float] = {
    "AUTH-MISSING": 1.6, "AUTH-INVALID": 1.1, "AUTH-BEFORE-REPLAY": 3.7, "AUTH-NOT-STORED": 3.8,
    "AUTH-KEY-SCOPE": 2.5, "KEY-REQUIRED": 0.6, "KEY-EMPTY": 0.6, "KEY-LENGTH": 2.3,
    "KEY-ALPHABET": 1.9, "KEY-HEADER-CASE": 0.9, "KEY-DUPLICATE-HEADER": 1.1, "KEY-DISTINCT": 2.8,
    "PAY-CREATE": 0.5, "PAY-ECHO": 0.9, "PAY-DISTINCT": 0.8, "PAY-GET": 0.8,
    "PAY-GET-UNKNOWN": 0.4, "PAY-VALIDATION": 1.4, "PAY-VALIDATION-KEY": 0.1,
    "REPLAY-IDENTICAL": 1.5, "REPLAY-NO-NEW-PAYMENT": 1.5, "REPLAY-JSON-EQUIVALENT": 2.0,
    "REPLAY-AFTER-CHANGE": 1.2, "REPLAY-DELAYED": 0.1, "REPLAY-MARKER": 0.1, "CONFLICT-BODY": 3.7,
    "CONFLICT-NO-SIDE-EFFECT": 1.7, "CONFLICT-CROSS-OPERATION": 3.5, "REFUND-CREATE": 0.8,
    "REFUND-REPLAY": 2.3, "REFUND-KEY": 0.9, "REFUND-UNKNOWN": 0.2, "REFUND-ONCE": 1.6,
    "REFUND-STATE": 0.1, "CONC-CREATE": 1.0, "CONC-REFUND-KEY": 1.2, "CONC-REFUND-ONCE": 0.9,
    "KEY-EXPIRY": 0.1, "ERR-SHAPE": 0.1, "ERR-NO-5XX": 2.3, "SCHEMA-RESPONSES": 0.7,
    "RATE-LIMIT": 0.1, "RATE-NOT-STORED": 0.1, "STATEFUL-MODEL": 20.6,
}  # fmt: skip
"""Seconds each requirement's tests took in the fast profile against the reference server 30 ms
away (--latency 0.03, two clients, --replay-delay 0; a whole run with seed 1; at least 0.1): on
a far target, where parts pay off, a test's time is mostly its requests' round trips. Unknown
ids count as DEFAULT_COST. Remeasure when tests change a lot: the split only needs to be
roughly balanced, and stable."""
DEFAULT_COST = 0.5
STATE_MACHINE = "STATEFUL-MODEL"
LANED = frozenset({STATE_MACHINE})
"""Requirements whose test divides into independent lanes (the state machine: its rounds)."""


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based."""
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


@dataclass(frozen=True)
class Lane:
    """The share of a laned requirement's work one part makes: lane `index` of `total`."""

    index: int
    """0-based."""
    total: int

    def makes(self, pieces: int) -> list[int]:
        """The numbers of the `pieces` of the work (the state machine's rounds) this lane
        makes: every `total`-th, from its own index."""
        return list(range(self.index, pieces, self.total))


WHOLE = Lane(0, 1)
"""The lane of a run that is not in parts: all of the work."""


def lane_of(shard: Shard | None, most: int) -> Lane | None:
    """The lane of a laned requirement that may take `most` lanes, made by `shard` (None: a
    whole run): one lane a part, in the first `most` parts; None for the parts after those."""
    if shard is None:
        return WHOLE
    total = max(1, min(shard.total, most))
    return Lane(shard.index - 1, total) if shard.index <= total else None


_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> Shard:
    """'K/N' with 1 <= K <= N; ValueError otherwise."""
    found = _SHARD.match(text)
    if not found:
        raise ValueError(f"{text!r} is not K/N (for instance 2/4)")
    index, total = int(found[1]), int(found[2])
    if not 1 <= index <= total:
        raise ValueError(f"{text!r}: K must be between 1 and N")
    return Shard(index, total)


def split(ids: Iterable[str], total: int, lanes: Mapping[str, int] | None = None) -> list[set[str]]:
    """The ids spread over `total` parts: each laned one (LANED) in every part that makes one
    of its lanes (`lanes`: how many pieces of work each has, so how many lanes it may take; 1
    when not given), with the share of its cost its lane's pieces are; then the others,
    costliest first, onto the least loaded part (ties go to the lower part, then ids in sorted
    order): a fixed, balanced split."""
    parts: list[set[str]] = [set() for _ in range(total)]
    loads = [0.0] * total
    chosen = set(ids)
    for requirement_id in sorted(chosen & LANED):
        most = (lanes or {}).get(requirement_id, 1)
        for index in range(total):
            lane = lane_of(Shard(index + 1, total), most)
            if lane is not None:
                parts[index].add(requirement_id)
                share = len(lane.makes(most)) / max(1, most)
                loads[index] += COSTS.get(requirement_id, DEFAULT_COST) * share
    for requirement_id in sorted(chosen - LANED, key=lambda i: (-COSTS.get(i, DEFAULT_COST), i)):
        lightest = min(range(total), key=lambda p: (loads[p], p))
        parts[lightest].add(requirement_id)
        loads[lightest] += COSTS.get(requirement_id, DEFAULT_COST)
    return parts


def owned(shard: Shard, ids: Iterable[str], lanes: Mapping[str, int] | None = None) -> set[str]:
    """The requirements among `ids` that `shard` runs: in full, or a lane of (see `split`)."""
    return split(ids, shard.total, lanes)[shard.index - 1]
