"""Which collected tests a run makes, and their order: catalog order, run-wide checks last."""

from __future__ import annotations

import pytest

from conformance.requirements import BY_ID, CATALOG
from conformance.shard import SCANS_THE_RUN
from conformance.target import Target

__all__ = ["CATALOG_ORDER", "LAST", "requirement_of", "run_order", "selection"]

LAST = (
    "REPLAY-DELAYED",
    "KEY-EXPIRY",
    "ERR-SHAPE",
    "ERR-NO-5XX",
    "SCHEMA-RESPONSES",
    "RATE-LIMIT",
    "RATE-NOT-STORED",
)
"""Requirements that judge every exchange of the run, or wait on the clock: they run last."""
CATALOG_ORDER = {r.id: i for i, r in enumerate(CATALOG)}


def requirement_of(item: pytest.Item) -> tuple[str, str]:
    """The requirement id a test judges and the part of it: 'must', 'should' or 'info'."""
    marker = item.get_closest_marker("requirement")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid} has no requirement marker")
    requirement_id = marker.args[0]
    if requirement_id not in BY_ID:
        raise pytest.UsageError(f"{item.nodeid} names unknown requirement {requirement_id!r}")
    part = marker.kwargs.get("part", "must")
    if part not in ("must", "should"):
        raise pytest.UsageError(f"{item.nodeid}: part must be 'must' or 'should', not {part!r}")
    if BY_ID[requirement_id].level.value == "INFO":
        part = "info"
    return requirement_id, part


def selection(
    items: list[pytest.Item], target: Target
) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """The tests the run makes, in run order, and the others (deselected)."""
    selected = [item for item in items if _makes(target, item)]
    deselected = [item for item in items if item not in selected]
    return sorted(selected, key=run_order), deselected


def run_order(item: pytest.Item) -> tuple[int, int]:
    requirement_id = requirement_of(item)[0]
    if requirement_id in LAST:
        return (1, LAST.index(requirement_id))
    return (0, CATALOG_ORDER[requirement_id])


def _makes(target: Target, item: pytest.Item) -> bool:
    """Whether the run makes the test: its requirement is the run's (see Target.runs), or it
    scans every exchange of a selected requirement (which every shard does)."""
    requirement_id = requirement_of(item)[0]
    scans = item.get_closest_marker(SCANS_THE_RUN) is not None
    return target.runs(requirement_id) or (scans and target.selects(requirement_id))
