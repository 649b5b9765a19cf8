"""The state machine's model: what each client made, under which key, and what was stored.

Plain data, filled in by the rules from the target's answers (requests.Response objects, so a
check judging them cites their journal positions), plus the strategies the rules draw from.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import strategies as st
from hypothesis.stateful import Bundle

from conformance.checks import Violation
from conformance.strategies import (
    ALNUM,
    ODD_VALUES,
    WRONG_KINDS,
    BadKey,
    OddValue,
    bad_character_keys,
    fresh_key,
    key_lengths,
    long_keys,
    rng,
    short_keys,
)
from conformance.suite.stateful.coverage import Coverage
from conformance.suite.stateful.steering import Steering
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.records import Exchange

__all__ = [
    "PAYMENTS",
    "REFUND_KEYS",
    "UNSTORED",
    "Payment",
    "RefundKey",
    "Shared",
    "Unstored",
    "acting_on",
    "fresh_key_specs",
    "invalid_bodies",
    "invalid_keys",
    "make_key",
    "odd_values_to_send",
]

PAYMENTS = Bundle("payments")
REFUND_KEYS = Bundle("refund_keys")
UNSTORED = Bundle("unstored")


@dataclass(eq=False)
class Payment:
    id: Any
    response: requests.Response
    """The answer that made it (for a burst, the first 2xx)."""
    owner: str
    body: dict[str, Any]
    key: str
    stored: requests.Response | None
    """The answer stored under the key; None until the first replay after a burst."""
    refunds: list[requests.Response] = field(default_factory=list)
    """Every 2xx refund answer for this payment (one refund id among them)."""
    history: list[str] = field(default_factory=list)
    """The actions applied to it, in order (the vocabulary of `coverage`)."""
    reused: bool = False
    """Its key was sent by the other client too, which got a payment of its own under it."""
    open_to: frozenset[str] | None = None
    """The actions the steering lets a rule apply to it at the current step (None: any); see
    `acting_on`."""


@dataclass(eq=False)
class RefundKey:
    payment: Payment
    key: str
    stored: requests.Response | None
    """The 2xx refund stored under the key; None when the key was refused."""


@dataclass(eq=False)
class Unstored:
    """A key whose only use was refused with 401: not stored, so still fresh."""

    key: str
    body: dict[str, Any]


@dataclass
class Shared:
    """What the examples of one run share: the clients, the pause allowance, the last failure."""

    api: ApiClient
    target: Target
    pauses_left: int = 1
    pause_mode: str | None = None
    """After the first failure: 'real' if it came after a real pause (so shrinking keeps
    pausing), else 'off' (pauses stay no-ops, as in the failing example)."""
    pause_spent: float = 0.0
    last_violation: Violation | None = None
    last_evidence: list[Exchange] = field(default_factory=list)
    """The exchanges of the example that raised `last_violation`."""
    coverage: Coverage = field(default_factory=Coverage)
    """The orders of actions every example applied to its payments."""
    steering: Steering = field(default_factory=Steering)
    """What each round of the run wants next (steering.py)."""


def acting_on(bundle: Bundle[Any], action: str) -> st.SearchStrategy[Any]:
    """Draws from `bundle` (payments, or refund keys of a payment) for a rule of `action`:
    only those whose payment the steering lets `action` at the current step, so a steered
    step acts on the payment it was steered for (steering.py), not on another."""

    def open_to(value: Payment | RefundKey) -> bool:
        payment = value.payment if isinstance(value, RefundKey) else value
        return payment.open_to is None or action in payment.open_to

    return bundle.filter(open_to)


def fresh_key_specs() -> st.SearchStrategy[str]:
    """How a new key is made: `uuid` or `fresh:LENGTH` (see make_key)."""
    return st.one_of(st.just("uuid"), key_lengths().map(lambda n: f"fresh:{n}"))


def make_key(spec: str, base: str | None = None, taken: Collection[str] = ()) -> str:
    """A fresh key for `spec`; `tweak` is `base` with its last character changed (the two share
    every character but one), into none of the `taken` keys (two tweaks of one key would
    otherwise meet one time in 61, and a key used twice is a replay, not a new key)."""
    kind, _, length = spec.partition(":")
    if kind == "uuid":
        return fresh_key(36, "uuid")
    if kind == "fresh":
        return fresh_key(int(length), "alnum")
    if kind == "tweak" and base is not None:
        return rng.choice([k for c in ALNUM if (k := base[:-1] + c) != base and k not in taken])
    raise ValueError(f"unknown key spec {spec!r}")


def invalid_keys() -> st.SearchStrategy[tuple[BadKey, str]]:
    """An invalid key and the requirement a create that accepts it breaks."""
    empty = st.sampled_from((BadKey("", "empty"), BadKey("   ", "whitespace only")))
    return st.one_of(
        empty.map(lambda k: (k, "KEY-EMPTY")),
        st.one_of(short_keys(), long_keys()).map(lambda k: (k, "KEY-LENGTH")),
        bad_character_keys().map(lambda k: (BadKey(k.wire(), k.reason), "KEY-ALPHABET")),
    )


def _utf8_spelling(odd: OddValue) -> bool:
    try:
        json.dumps(json.loads(odd.text("")), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def odd_values_to_send() -> st.SearchStrategy[OddValue]:
    """The odd values of `conformance.strategies` (valid JSON kind, odd content) but a lone
    surrogate: a payment's body is re-sent re-encoded as UTF-8 text, which cannot carry one."""
    return st.sampled_from(tuple(odd for odd in ODD_VALUES if _utf8_spelling(odd)))


def invalid_bodies(tag: str) -> list[tuple[str, str, str]]:
    """(what, body text, content type) of create requests PAY-VALIDATION says are refused: a
    required field missing, malformed JSON, not JSON, and each field of another JSON type."""
    description = json.dumps(f"invalid body [{tag}]")
    return [
        (
            "amount missing",
            f'{{"currency": "USD", "description": {description}}}',
            "application/json",
        ),
        (
            "amount a string",
            f'{{"amount": "ten", "currency": "USD", "description": {description}}}',
            "application/json",
        ),
        ("malformed JSON", '{"amount": 100, "currency": "USD"', "application/json"),
        ("not JSON", '{"amount": 100, "currency": "USD"}', "text/plain"),
        *((odd.what, odd.text(tag), "application/json") for odd in WRONG_KINDS),
    ]
