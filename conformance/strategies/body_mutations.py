"""Hypothesis strategies for changed bodies (one field changed, added or removed) and for the same
body spelled differently (key order, whitespace, number spellings)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.strategies.bodies import (
    CURRENCIES,
    a_cent_off,
    customer_ids,
    plain_amounts,
    plain_descriptions,
)
from conformance.strategies.fresh_values import ALNUM

__all__ = [
    "Mutation",
    "currency_case_changed",
    "every_mutation",
    "mutations",
    "number_spellings",
    "reencodings",
]


@dataclass(frozen=True)
class Mutation:
    """A changed body and a description of the change; `drops_required` when the result is
    invalid (a server may then answer 400/422 instead of 409)."""

    body: dict[str, Any]
    change: str
    drops_required: bool = False


def mutations(body: dict[str, Any]) -> st.SearchStrategy[Mutation]:
    """A body that differs from `body` in one field: changed, added or removed."""
    return st.one_of(_mutation_kinds(body))


def every_mutation(body: dict[str, Any]) -> st.SearchStrategy[tuple[Mutation, ...]]:
    """One mutation of each kind (each field changed, the optional one added or removed, a
    required one removed), so one example covers every field."""
    return st.tuples(*_mutation_kinds(body))


def _mutation_kinds(body: dict[str, Any]) -> list[st.SearchStrategy[Mutation]]:
    """Where a kind draws a value like the body's own it takes the smallest change instead (a
    filter could fail to find another: the simplest example draws the simplest values, and
    the body it changes was drawn the same way)."""
    amount, description = body["amount"], body["description"]
    options: list[st.SearchStrategy[Mutation]] = [
        plain_amounts()
        .map(lambda a: a if a != amount else a_cent_off(amount))
        .map(lambda a: Mutation({**body, "amount": a}, f"amount {amount} -> {a}")),
        st.just(_one_cent_off(body)),
        st.builds(_one_character_off, st.just(body), st.integers(0), st.sampled_from(ALNUM)),
        st.sampled_from([c for c in CURRENCIES if c != body["currency"].upper()]).map(
            lambda c: Mutation({**body, "currency": c}, f"currency -> {c}")
        ),
        plain_descriptions()
        .map(
            lambda d: (
                d if d != description else _one_character_off(body, 0, "x").body["description"]
            )
        )
        .map(lambda d: Mutation({**body, "description": d}, "description changed")),
        st.sampled_from(("amount", "currency", "description")).map(
            lambda f: Mutation(
                {k: v for k, v in body.items() if k != f}, f"{f} removed", drops_required=True
            )
        ),
    ]
    if "customerId" in body:
        customer = body["customerId"]
        options.append(
            st.just(
                Mutation({k: v for k, v in body.items() if k != "customerId"}, "customerId removed")
            )
        )
        options.append(
            customer_ids()
            .map(lambda c: c if c != customer else f"{customer}x")
            .map(lambda c: Mutation({**body, "customerId": c}, "customerId changed"))
        )
    else:
        options.append(
            customer_ids().map(lambda c: Mutation({**body, "customerId": c}, "customerId added"))
        )
    return options


def _one_cent_off(body: dict[str, Any]) -> Mutation:
    """The smallest change of a plain amount (1.00 to 1000.00, two decimals)."""
    amount = body["amount"]
    changed = a_cent_off(amount)
    return Mutation({**body, "amount": changed}, f"amount {amount} -> {changed} (one cent)")


def _one_character_off(body: dict[str, Any], position: int, char: str) -> Mutation:
    """The description with one character replaced by another letter or digit (an empty one,
    which the state machine's odd values make, gets that character)."""
    text = body["description"]
    if not text:
        return Mutation({**body, "description": char}, f"description '' -> {char!r}")
    at = position % len(text)
    if text[at] == char:
        char = "x" if char != "x" else "y"
    changed = text[:at] + char + text[at + 1 :]
    return Mutation({**body, "description": changed}, f"description character {at} -> {char!r}")


def currency_case_changed(body: dict[str, Any]) -> Mutation:
    """The currency in another letter case: a changed body only for a target that keeps the case
    it was sent (PAY-ECHO compares currencies case-insensitively, so a target may not)."""
    currency = body["currency"]
    changed = currency.lower() if currency != currency.lower() else currency.upper()
    return Mutation({**body, "currency": changed}, f"currency {currency} -> {changed}")


def reencodings(body: dict[str, Any]) -> st.SearchStrategy[str]:
    """The same JSON document spelled differently: key order and insignificant whitespace."""
    return st.builds(
        _reencode,
        st.permutations(sorted(body)),
        st.sampled_from(((", ", ": "), (",", ":"), (",\n  ", " : "), (" ,\t", ":\n"))),
        st.booleans(),
        st.just(body),
    )


def _reencode(
    order: list[str], separators: tuple[str, str], padded: bool, body: dict[str, Any]
) -> str:
    text = json.dumps({k: body[k] for k in order}, separators=separators, ensure_ascii=False)
    return f"\n {text} \n" if padded else text


def number_spellings(amount: int) -> list[str]:
    """`100`, `100.0`, `100.00`: the same number, as REPLAY-JSON-EQUIVALENT's SHOULD says."""
    return [str(amount), f"{amount}.0", f"{amount}.00"]
