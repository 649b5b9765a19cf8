"""Which seeds a soak runs: 1..N, or from --first-seed on (a soak cut short goes on from its
next seed with the same cases)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from conformance.selftest import __main__ as selftest


@pytest.fixture
def seeds_run(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []

    def run_matrix(selected: list[Any], seeds: Iterable[int], **_: Any) -> list[Any]:
        seen.extend(seeds)
        return []

    monkeypatch.setattr(selftest, "run_matrix", run_matrix)
    return seen


def test_a_soak_runs_seeds_one_to_n(seeds_run: list[int]) -> None:
    assert selftest.main(["--soak", "3", "--only", "key-truncated"]) == 0
    assert seeds_run == [1, 2, 3]


def test_a_soak_goes_on_from_its_first_seed(seeds_run: list[int]) -> None:
    assert selftest.main(["--soak", "3", "--first-seed", "14", "--only", "key-truncated"]) == 0
    assert seeds_run == [14, 15, 16]
