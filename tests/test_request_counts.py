"""`make request-counts` names, for each requirement, the faults of the catalog it catches."""

from __future__ import annotations

from bench.requests_by_requirement import catches
from conformance.reference.faults import FAULTS


def test_every_fault_is_listed_under_its_requirement_and_marked_under_the_others() -> None:
    found = catches()
    for name, fault in FAULTS.items():
        assert name in found[fault.breaks]
        assert all(f"+{name}" in found[other] for other in fault.also_breaks)
    assert sum(len(names) for names in found.values()) == sum(
        1 + len(f.also_breaks) for f in FAULTS.values()
    )
