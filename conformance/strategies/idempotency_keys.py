"""Hypothesis strategies for idempotency keys: fresh valid ones from the spec's key grammar, and
invalid ones with the reason they are invalid.

Every valid key is fresh (a random core from the run's seeded generator), because a key reused
across examples would turn a replay test into a conflict test.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from hypothesis import strategies as st

from conformance.spec import KEY_MAX, KEY_MIN
from conformance.strategies.fresh_values import ALNUM, fresh_hex, fresh_uuid, rng

__all__ = [
    "KEY_STYLES",
    "BadKey",
    "bad_character_keys",
    "fresh_key",
    "key_lengths",
    "keys",
    "long_keys",
    "punctuation_keys",
    "short_keys",
    "unique_key",
]

KEY_STYLES = ("alnum", "lower", "upper", "underscore", "hyphen", "uuid", "prefixed")
_STYLE_ALPHABETS = {
    "lower": string.ascii_lowercase + string.digits,
    "upper": string.ascii_uppercase + string.digits,
}
_PREFIX = "payment_"


def fresh_key(length: int, style: str) -> str:
    """A new key of exactly `length` characters (a UUID for style 'uuid'; at least 14 for
    'prefixed'), never seen before with overwhelming probability: its random core has at least
    31 bits even at length 6."""
    if style == "uuid":
        return fresh_uuid()
    if style == "prefixed":
        length = max(length, len(_PREFIX) + KEY_MIN)
        return _PREFIX + "".join(rng.choice(ALNUM) for _ in range(length - len(_PREFIX)))
    alphabet = _STYLE_ALPHABETS.get(style, ALNUM)
    chars = [rng.choice(alphabet) for _ in range(length)]
    marker = {"underscore": "_", "hyphen": "-"}.get(style)
    if marker:
        chars[rng.randrange(1, length - 1)] = marker
    return "".join(chars)


def key_lengths() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from((KEY_MIN, KEY_MAX)), st.integers(KEY_MIN, KEY_MAX))


def keys() -> st.SearchStrategy[str]:
    """Fresh valid keys: boundary lengths, every allowed character class, UUIDs."""
    return st.builds(fresh_key, key_lengths(), st.sampled_from(KEY_STYLES))


def unique_key(prefix: str = "k") -> str:
    """A fresh valid key outside Hypothesis' control (for setup steps of a test)."""
    return f"{prefix}_{fresh_hex(32)}"[:KEY_MAX]


@dataclass(frozen=True)
class BadKey:
    """An invalid key and why it is invalid; `should` marks the SHOULD-level cases."""

    value: str
    reason: str
    should: bool = False

    def wire(self) -> str:
        """The header value as sent: UTF-8 bytes carried through http.client's latin-1."""
        return self.value.encode("utf-8").decode("latin-1")


def _embed(char: str, length: int) -> str:
    core = [rng.choice(ALNUM) for _ in range(length)]
    core[rng.randrange(1, length - 1)] = char
    return "".join(core)


def short_keys() -> st.SearchStrategy[BadKey]:
    return st.integers(1, KEY_MIN - 1).map(
        lambda n: BadKey("".join(rng.choice(ALNUM) for _ in range(n)), f"{n} characters")
    )


def long_keys() -> st.SearchStrategy[BadKey]:
    return st.integers(KEY_MAX + 1, KEY_MAX * 4).map(
        lambda n: BadKey("".join(rng.choice(ALNUM) for _ in range(n)), f"{n} characters")
    )


def bad_character_keys() -> st.SearchStrategy[BadKey]:
    """Keys of a valid length with one character outside the alphabet (MUST cases)."""
    whitespace = st.sampled_from(" \t")
    control = st.sampled_from("\x01\x07\x1b\x7f")
    non_ascii = st.sampled_from("éß中😀\u00a0")
    return st.builds(
        lambda char, n: BadKey(_embed(char, n), f"contains {char!r}"),
        st.one_of(whitespace, control, non_ascii),
        st.integers(KEY_MIN + 2, 32),
    )


def punctuation_keys() -> st.SearchStrategy[BadKey]:
    """Keys with other punctuation: REQUIREMENTS.md says SHOULD reject."""
    return st.builds(
        lambda char, n: BadKey(_embed(char, n), f"contains {char!r}", should=True),
        st.sampled_from(".:/!@#$%&*+=,;?~"),
        st.integers(KEY_MIN + 2, 32),
    )
