"""The self-test's --combined: faults as they are, the variants in the combinations they make."""

from __future__ import annotations

from conformance.selftest import cases
from conformance.selftest.__main__ import _combined


def test_combined_keeps_the_faults_and_joins_the_variants_that_combine() -> None:
    selected = cases(["lookup-before-auth", "uuid-ids", "nestjs-404", "slow", "gzip", "chunked"])
    combined = _combined(selected)
    assert [c.name for c in combined if c.kind == "fault"] == ["lookup-before-auth"]
    names = sorted(c.name for c in combined if c.kind == "variant")
    assert names == ["chunked", "nestjs-404+uuid-ids+gzip", "slow"], names
    joined = next(c for c in combined if "+" in c.name)
    assert joined.only == next(c for c in selected if c.name == "gzip").only
