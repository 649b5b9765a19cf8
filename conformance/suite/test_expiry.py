"""Expiry: before the stated key lifetime a replay holds; after it the key is free again.

Only runs when the user states the target's key lifetime (`--key-ttl`). Waiting on the clock is
the requirement itself here, so the test sleeps until each deadline: a replay halfway through
the lifetime, then the lifetime plus a small margin after that last use (no single wait is
longer than the lifetime plus 5 s); lifetimes too long to wait out in a run are skipped.
"""

from __future__ import annotations

import time

import pytest

from conformance import checks
from conformance.strategies import unique_key
from conformance.suite.helpers import create_payment
from conformance.target import Target
from conformance.transport.client import ApiClient

LONGEST_TTL = 120.0
"""Seconds: a longer stated lifetime is not waited out (the test skips and says why)."""
MARGIN = 5.0
"""The most the test waits beyond the lifetime, for a target that expires keys lazily."""


def margin(ttl: float) -> float:
    return min(MARGIN, 1.0 + ttl / 4)


def wait_until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)  # the requirement is about elapsed time itself


@pytest.mark.requirement("KEY-EXPIRY")
def test_key_is_free_again_after_its_lifetime(api: ApiClient, target: Target) -> None:
    ttl = target.key_ttl
    if ttl is None:
        pytest.skip("needs --key-ttl SECONDS, the target's key lifetime")
    if ttl > LONGEST_TTL:
        pytest.skip(
            f"--key-ttl {ttl:g} s is longer than the {LONGEST_TTL:g} s this check waits out; "
            "run the target with a shorter key lifetime to check expiry"
        )
    body = {"amount": 100.0, "currency": "USD", "description": f"expiry [{target.run_id}]"}
    created = create_payment(api, body, unique_key("ttl"))
    made = time.monotonic()
    # Before the lifetime: a replay at once and one halfway through hold.
    last_use = made
    for label, at in (("at once", made), ("halfway through the lifetime", made + ttl / 2)):
        wait_until(at)
        again = api.create(body, created.key)
        last_use = time.monotonic()
        checks.replay_is_identical(
            created.response,
            again,
            requirement="KEY-EXPIRY",
            title=f"A replay {label} (stated lifetime {ttl:g} s) was not the stored response",
        )
    # The lifetime counts from the key's last use at the latest, so a target that extends it on
    # each replay is judged fairly too.
    wait_until(last_use + ttl + margin(ttl))
    changed = {**body, "amount": 250.5}
    later = api.create(changed, created.key)
    waited = time.monotonic() - last_use
    checks.payment_created(
        later,
        requirement="KEY-EXPIRY",
        title=f"The key was not free again {waited:.1f} s after its last use "
        f"(stated lifetime {ttl:g} s): a new body under it was not processed",
    )
    checks.payments_are_distinct(
        created.response,
        later,
        requirement="KEY-EXPIRY",
        title="After the key lifetime the key still returned the old payment",
    )
