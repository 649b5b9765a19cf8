"""Hypothesis strategies for the suite's inputs: payment bodies, keys and body mutations.

Bodies stay inside the spec's PaymentRequestDto (a project test checks every generated body
against it) and inside what every reasonable server accepts: common ISO currencies, amounts
with at most two decimals. Keys come from the spec's key grammar; every valid key is fresh
(a run-unique random core), because a key reused across examples would turn a replay test
into a conflict test.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.spec import KEY_MAX, KEY_MIN

CURRENCIES = ("USD", "EUR", "GBP")
ALNUM = string.ascii_letters + string.digits
KEY_ALPHABET = ALNUM + "_-"
_random = random.SystemRandom()


def amounts() -> st.SearchStrategy[int | float]:
    """Positive amounts from cents to billions, with 0, 1 or 2 decimal places."""
    magnitude = st.one_of(st.integers(1, 999), st.integers(1000, 10**6), st.integers(1, 10**11))
    return st.builds(_amount, magnitude, st.sampled_from((0, 1, 2)))


def _amount(units: int, decimals: int) -> int | float:
    if decimals == 0:
        return units
    return round(units / 10**decimals, decimals)


_run_tag = "conformance"


def set_run_tag(run_id: str) -> None:
    """Every generated description carries this tag from now on (set once per run)."""
    global _run_tag
    _run_tag = run_id


def descriptions() -> st.SearchStrategy[str]:
    """Unicode descriptions that carry the run id, so a run's data can be found on the target."""
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
    return text.map(lambda t: f"{t} [{_run_tag}]".strip())


def customer_ids() -> st.SearchStrategy[str]:
    return st.text(ALNUM, min_size=1, max_size=12).map(lambda t: f"cus_{t}")


def payment_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid PaymentRequestDto bodies, with and without customerId."""
    required = st.fixed_dictionaries(
        {
            "amount": amounts(),
            "currency": st.sampled_from(CURRENCIES),
            "description": descriptions(),
        }
    )
    return st.one_of(
        required,
        st.builds(
            lambda body, customer: {**body, "customerId": customer}, required, customer_ids()
        ),
    )


# -- keys ------------------------------------------------------------------------------------
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
        return str(uuid.uuid4())
    if style == "prefixed":
        length = max(length, len(_PREFIX) + KEY_MIN)
        return _PREFIX + "".join(_random.choice(ALNUM) for _ in range(length - len(_PREFIX)))
    alphabet = _STYLE_ALPHABETS.get(style, ALNUM)
    chars = [_random.choice(alphabet) for _ in range(length)]
    marker = {"underscore": "_", "hyphen": "-"}.get(style)
    if marker:
        chars[_random.randrange(1, length - 1)] = marker
    return "".join(chars)


def key_lengths() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from((KEY_MIN, KEY_MAX)), st.integers(KEY_MIN, KEY_MAX))


def keys() -> st.SearchStrategy[str]:
    """Fresh valid keys: boundary lengths, every allowed character class, UUIDs."""
    return st.builds(fresh_key, key_lengths(), st.sampled_from(KEY_STYLES))


def unique_key(prefix: str = "k") -> str:
    """A fresh valid key outside Hypothesis' control (for setup steps of a test)."""
    return f"{prefix}_{uuid.uuid4().hex}"[:KEY_MAX]


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
    core = [_random.choice(ALNUM) for _ in range(length)]
    core[_random.randrange(1, length - 1)] = char
    return "".join(core)


def short_keys() -> st.SearchStrategy[BadKey]:
    return st.integers(1, KEY_MIN - 1).map(
        lambda n: BadKey("".join(_random.choice(ALNUM) for _ in range(n)), f"{n} characters")
    )


def long_keys() -> st.SearchStrategy[BadKey]:
    return st.integers(KEY_MAX + 1, KEY_MAX * 4).map(
        lambda n: BadKey("".join(_random.choice(ALNUM) for _ in range(n)), f"{n} characters")
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


# -- body mutations and re-encodings -----------------------------------------------------------
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
    options: list[st.SearchStrategy[Mutation]] = [
        amounts()
        .filter(lambda a: a != body["amount"])
        .map(lambda a: Mutation({**body, "amount": a}, f"amount {body['amount']} -> {a}")),
        st.sampled_from([c for c in CURRENCIES if c != body["currency"].upper()]).map(
            lambda c: Mutation({**body, "currency": c}, f"currency -> {c}")
        ),
        descriptions()
        .filter(lambda d: d != body["description"])
        .map(lambda d: Mutation({**body, "description": d}, "description changed")),
        st.sampled_from(("amount", "currency", "description")).map(
            lambda f: Mutation(
                {k: v for k, v in body.items() if k != f}, f"{f} removed", drops_required=True
            )
        ),
    ]
    if "customerId" in body:
        options.append(
            st.just(
                Mutation({k: v for k, v in body.items() if k != "customerId"}, "customerId removed")
            )
        )
        options.append(
            customer_ids()
            .filter(lambda c: c != body["customerId"])
            .map(lambda c: Mutation({**body, "customerId": c}, "customerId changed"))
        )
    else:
        options.append(
            customer_ids().map(lambda c: Mutation({**body, "customerId": c}, "customerId added"))
        )
    return options


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
