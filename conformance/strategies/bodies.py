"""Hypothesis strategies for payment bodies, mostly plain, and the test of a plain body.

Bodies stay inside the spec's PaymentRequestDto (a project test checks every generated body
against it). Most are *plain* ("What a target may refuse" in REQUIREMENTS.md: an amount from
1.00 to 1000.00 with at most two decimals, USD, a short printable ASCII description, an
optional short customerId), which every target must accept; the others reach further (other
currencies, amounts up to billions, unicode), and a target may refuse those with a 4xx as a
business rule of its own.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from conformance.strategies.fresh_values import ALNUM

__all__ = [
    "CURRENCIES",
    "a_cent_off",
    "amounts",
    "another_plain_body",
    "customer_ids",
    "descriptions",
    "is_plain",
    "payment_bodies",
    "plain_amounts",
    "plain_bodies",
    "plain_descriptions",
    "set_run_tag",
]

CURRENCIES = ("USD", "EUR", "GBP")


def plain_amounts() -> st.SearchStrategy[int | float]:
    """Amounts every target must accept: 1.00 to 1000.00 with at most two decimals."""
    return st.builds(_amount, st.integers(1, 1000), st.just(0)) | st.integers(100, 100_000).map(
        lambda cents: round(cents / 100, 2)
    )


def a_cent_off(amount: float) -> float:
    """The smallest change of a plain amount: one cent up, unless that leaves the plain range
    (then down); 1.0 for an amount so large that a double loses the cent (the state machine
    changes odd amounts too)."""
    changed = round(amount + 0.01, 2) if amount + 0.01 <= 1000 else round(amount - 0.01, 2)
    return changed if changed != amount else 1.0


def amounts() -> st.SearchStrategy[int | float]:
    """Positive amounts from cents to billions, with 0, 1 or 2 decimal places."""
    magnitude = st.one_of(st.integers(1, 999), st.integers(1000, 10**6), st.integers(1, 10**11))
    return st.builds(_amount, magnitude, st.sampled_from((0, 1, 2)))


def _amount(units: int, decimals: int) -> int | float:
    if decimals == 0:
        return units
    scale: int = 10**decimals
    return round(units / scale, decimals)


_run_tag = "conformance"


def set_run_tag(run_id: str) -> None:
    """Every generated description carries this tag from now on (set once per run)."""
    global _run_tag
    _run_tag = run_id


def descriptions() -> st.SearchStrategy[str]:
    """Unicode descriptions that carry the run id, so a run's data can be found on the target."""
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
    return text.map(lambda t: f"{t} [{_run_tag}]".strip())


def plain_descriptions() -> st.SearchStrategy[str]:
    """Printable ASCII descriptions of at most 100 characters that carry the run id."""
    return st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(
        lambda t: f"{t} [{_run_tag}]".strip()[:100]
    )


def customer_ids() -> st.SearchStrategy[str]:
    return st.text(ALNUM, min_size=1, max_size=12).map(lambda t: f"cus_{t}")


def _bodies(
    amount: st.SearchStrategy[Any], currency: st.SearchStrategy[str], text: st.SearchStrategy[str]
) -> st.SearchStrategy[dict[str, Any]]:
    required = st.fixed_dictionaries({"amount": amount, "currency": currency, "description": text})
    return st.one_of(
        required,
        st.builds(
            lambda body, customer: {**body, "customerId": customer}, required, customer_ids()
        ),
    )


def plain_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Bodies every target must accept (see `is_plain`), with and without customerId."""
    return _bodies(plain_amounts(), st.just("USD"), plain_descriptions())


def another_plain_body(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A plain body with another amount than `body`'s, so that an answer tells them apart (a
    cent off where it drew the same one: a filter could fail to find another, as the simplest
    example draws the simplest body twice)."""
    return plain_bodies().map(
        lambda other: (
            other
            if float(other["amount"]) != float(body["amount"])
            else {**other, "amount": a_cent_off(body["amount"])}
        )
    )


def payment_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid PaymentRequestDto bodies, two in three plain, the others reaching further (any of
    the currencies, amounts up to billions, unicode descriptions)."""
    wide = _bodies(amounts(), st.sampled_from(CURRENCIES), descriptions())
    return st.one_of(plain_bodies(), plain_bodies(), wide)


_CUSTOMER = re.compile(r"[A-Za-z0-9_-]{1,36}")


def is_plain(body: Any) -> bool:
    """Whether a body is one every target must accept: an amount from 1.00 to 1000.00 with at
    most two decimals, currency USD, a description of 1 to 100 printable ASCII characters, and
    no customerId or one of 1 to 36 letters, digits, `_` or `-` (and nothing else)."""
    if not isinstance(body, dict) or set(body) - {
        "amount",
        "currency",
        "description",
        "customerId",
    }:
        return False
    amount, description = body.get("amount"), body.get("description")
    plain_amount = (
        isinstance(amount, int | float)
        and not isinstance(amount, bool)
        and 1 <= amount <= 1000
        and abs(round(amount, 2) - amount) < 1e-9
    )
    plain_text = (
        isinstance(description, str)
        and 1 <= len(description) <= 100
        and all(32 <= ord(c) < 127 for c in description)
    )
    customer = body.get("customerId")
    plain_customer = (customer is None and "customerId" not in body) or (
        isinstance(customer, str) and _CUSTOMER.fullmatch(customer) is not None
    )
    return plain_amount and body.get("currency") == "USD" and plain_text and plain_customer
