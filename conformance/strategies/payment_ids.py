"""Payment ids no target made: in common shapes, as any text, and shaped like a real one."""

from __future__ import annotations

import random
import string

from hypothesis import strategies as st

from conformance.strategies.fresh_values import fresh_hex, fresh_uuid, rng

__all__ = ["any_unknown_ids", "lookalike", "unknown_payment_ids"]


def _prefixed_id() -> str:
    return f"pay_{fresh_hex(16)}"


def _uuid_id() -> str:
    return fresh_uuid()


def _plain_id() -> str:
    return f"unknown{fresh_hex(32)}"


def unknown_payment_ids() -> st.SearchStrategy[str]:
    """Payment ids no target made, in common shapes; the random core is fresh on every draw."""
    return st.sampled_from((_prefixed_id, _uuid_id, _plain_id)).map(lambda make: make())


def lookalike(real: str) -> str:
    """An id shaped like `real` (same length, same character classes, same prefix) that the
    target did not make: its last alphanumeric characters are redrawn."""
    draw = random.Random(rng.getrandbits(64))  # one draw of the run's generator, whatever `real`
    if real.isdigit():  # sequential numbers: one far beyond any the target has made
        return str(10**15 + draw.randrange(10**15))
    positions = [i for i, c in enumerate(real) if c.isascii() and c.isalnum()][-12:]
    while True:
        chars = list(real)
        for i in positions:
            chars[i] = draw.choice(_same_class(real[i]))
        candidate = "".join(chars)
        if candidate != real:
            return candidate


def _same_class(char: str) -> str:
    for alphabet in ("0123456789", "abcdef", "ABCDEF", string.ascii_lowercase):
        if char in alphabet:
            return alphabet
    return string.ascii_uppercase


def any_unknown_ids() -> st.SearchStrategy[str]:
    """An unknown id in a common shape, or any text at all as the path segment (sent quoted)."""
    return st.one_of(
        unknown_payment_ids(),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20),
    )
