"""Servers that combine variants (`--variant a+b`): each variant's choice applies, rivals are
refused, and the catalog's grouping puts every variant in exactly one combination."""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import combinations

import pytest
from reference_support import assert_error, variant_server

from conformance.reference.variants import VARIANTS
from conformance.reference.variants.combined import (
    SEPARATOR,
    combination_of,
    combine,
    combined_groups,
    overrides,
)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def test_a_combined_server_makes_every_choice_of_its_variants() -> None:
    with variant_server("uuid-ids+nestjs-404+second-refund-422+rest-api-prefix") as api:
        created = api.create(api.new_key())
        assert created.status_code == 201
        payment_id = created.json()["id"]
        assert re.fullmatch(UUID, payment_id), payment_id  # uuid-ids
        assert api.path == "/rest-api/v0/test-payment"  # rest-api-prefix, which answered
        unknown = api.get("pay_unknown")
        assert unknown.json()["error"] == "Not Found"  # nestjs-404
        assert api.refund(payment_id, api.new_key()).status_code == 200
        assert_error(api.refund(payment_id, api.new_key()), 422)  # second-refund-422


def test_a_combination_takes_the_union_of_its_warnings_and_options() -> None:
    cls = combine(["printable-keys", "owner-in-id-400"])
    assert cls.name == "printable-keys+owner-in-id-400"
    assert set(cls.warns) == {"KEY-ALPHABET", "AUTH-KEY-SCOPE"}
    assert VARIANTS["printable-keys"].summary in cls.summary


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["second-refund-422", "second-refund-400"], "are of one kind"),
        (["nestjs-404", "foreign-payment-403"], "both change unknown_payment"),
        (["uuid-ids", "every-7th-429"], "runs alone"),
        (["uuid-ids", "reference"], "runs alone"),
        (["uuid-ids"], "two or more different variants"),
        (["uuid-ids", "uuid-ids"], "two or more different variants"),
        (["uuid-ids", "nope"], "unknown variant 'nope'"),
    ],
)
def test_rival_or_unknown_variants_do_not_combine(names: list[str], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        combine(names)


def test_the_reference_server_refuses_a_combination_of_rivals() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.reference", "--variant", "gzip+chunked"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "variants 'gzip' and 'chunked' are of one kind" in done.stderr


def test_every_variant_is_in_exactly_one_group_of_variants_that_combine() -> None:
    groups = combined_groups(VARIANTS)
    assert sorted(n for group in groups for n in group) == sorted(VARIANTS)
    for group in groups:
        if len(group) > 1:
            assert combine(group).name == SEPARATOR.join(group)
            for first, second in combinations(group, 2):
                assert VARIANTS[first].__module__ != VARIANTS[second].__module__
                assert not overrides(VARIANTS[first]) & overrides(VARIANTS[second])
        else:
            (name,) = group
            assert combination_of()[name] == name
    assert len(groups) < len(VARIANTS) / 2, groups


def test_time_bound_variants_and_the_reference_run_alone() -> None:
    for name in ("reference", "slow", "token-bucket-50", "every-7th-429", "flaky-429"):
        assert combination_of()[name] == name
