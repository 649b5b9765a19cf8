"""Hypothesis strategies for the suite's inputs: payment bodies, keys and body mutations.

Bodies stay inside the spec's PaymentRequestDto (a project test checks every generated body
against it). Most are *plain* ("What a target may refuse" in REQUIREMENTS.md: an amount from
1.00 to 1000.00 with at most two decimals, USD, a short printable ASCII description, an
optional short customerId), which every target must accept; the others reach further (other
currencies, amounts up to billions, unicode), and a target may refuse those with a 4xx as a
business rule of its own. Keys come from the spec's key grammar; every valid key is fresh
(a random core from the run's seeded generator), because a key reused across examples would
turn a replay test into a conflict test.
"""

from __future__ import annotations

import json
import random
import re
import string
import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.spec import KEY_MAX, KEY_MIN

CURRENCIES = ("USD", "EUR", "GBP")
ALNUM = string.ascii_letters + string.digits
KEY_ALPHABET = ALNUM + "_-"
rng = random.Random()
"""The suite's one source of fresh values outside Hypothesis (keys, ids): seeded by the run's
seed (`seed_values`), so that `--seed` sends the same requests again."""


def seed_values(seed: int, part: str = "") -> None:
    """Seed the fresh values; each part of a sharded run (`part`, 'K/N') draws its own."""
    rng.seed(f"{seed}:{part}" if part else seed)


def fresh_hex(length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def fresh_uuid() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def plain_amounts() -> st.SearchStrategy[int | float]:
    """Amounts every target must accept: 1.00 to 1000.00 with at most two decimals."""
    return st.builds(_amount, st.integers(1, 1000), st.just(0)) | st.integers(100, 100_000).map(
        lambda cents: round(cents / 100, 2)
    )


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
    """A plain body with another amount than `body`'s, so that an answer tells them apart."""
    return plain_bodies().filter(lambda other: float(other["amount"]) != float(body["amount"]))


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


# -- values of an unusual kind in one field ----------------------------------------------------
@dataclass(frozen=True)
class OddValue:
    """A create body that is valid but for one field's value, spelled as raw JSON text.

    `wrong_kind` marks a value of another JSON type than the spec's for a field (PAY-VALIDATION
    MUST refuse it with a 4xx); the others are of the right type but unusual (empty, very long,
    astral-plane or control characters, numbers at the edges of the double and integer ranges):
    the document does not say a target must refuse them, so a target may accept or refuse them,
    and only a 5xx is wrong (ERR-NO-5XX). `customerId: null` is of the second kind: frameworks
    that make a field optional (class-validator's `@IsOptional`) take null as absent.
    """

    field: str
    token: str
    """The field's value as JSON text (numbers as written: `2**63` or `1e308` exactly)."""
    what: str
    wrong_kind: bool

    def text(self, tag: str) -> str:
        """The whole body as JSON text: the plain fields with this one field's value replaced."""
        fields = {
            "amount": "10.00",
            "currency": '"USD"',
            "description": json.dumps(f"odd value [{tag}]"),
        }
        fields[self.field] = self.token
        return "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"


_OTHER_KINDS = {"null": "null", "a boolean": "true", "a list": "[]", "an object": "{}"}
_STRING_FIELDS = ("currency", "description", "customerId")
_ODD_NUMBERS = (
    "1e308", "1.7976931348623157e308", "-0.0", "-0", "9223372036854775808",
    "18446744073709551616", "-9223372036854775809", "5e-324", "1e-300", "0.000001",
    "100.001", "1e-400", "123456789012345678901234567890.12",
)  # fmt: skip
_ODD_TEXTS = {
    "empty": '""',
    "whitespace only": '" \\t "',
    "very long": json.dumps("x" * 10_000),
    "astral-plane characters": '"\U0001f4b8\U0001d11e\U00010348"',
    "astral-plane characters as escapes": '"\\ud83d\\udcb8"',
    "control characters": '"\\u0000\\u0001\\u001b\u007f\u0085"',
    "a lone surrogate escape": '"\\ud800"',
    "a right-to-left override": '"\u202epay"',
}
"""JSON string tokens: the astral-plane characters once as UTF-8, once as escape pairs."""


def _wrong_kinds() -> tuple[OddValue, ...]:
    strings = [
        OddValue(f, token, f"{f} as {kind}", True)
        for f in _STRING_FIELDS
        for kind, token in {**_OTHER_KINDS, "a number": "840"}.items()
        if (f, kind) != ("customerId", "null")
    ]
    amounts = [
        OddValue("amount", token, f"amount as {kind}", True)
        for kind, token in {**_OTHER_KINDS, "a string": '"10.00"', "a list": "[10]"}.items()
    ]
    return (*strings, *amounts)


def _odd_values() -> tuple[OddValue, ...]:
    numbers = [OddValue("amount", n, f"amount {n}", False) for n in _ODD_NUMBERS]
    texts = [
        OddValue(f, token, f"{f} {what}", False)
        for f in _STRING_FIELDS
        for what, token in _ODD_TEXTS.items()
    ]
    return (*numbers, *texts, OddValue("customerId", "null", "customerId null", False))


WRONG_KINDS = _wrong_kinds()
"""Each field of the create body with a value of another JSON type (PAY-VALIDATION)."""
ODD_VALUES = _odd_values()
"""Each field of the create body with a value of its own type that a client may still send,
unusual enough that a careless server crashes on it (ERR-NO-5XX)."""


def wrong_kinds() -> st.SearchStrategy[OddValue]:
    return st.sampled_from(WRONG_KINDS)


def odd_values() -> st.SearchStrategy[OddValue]:
    return st.sampled_from(ODD_VALUES)


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
        plain_amounts()
        .filter(lambda a: a != body["amount"])
        .map(lambda a: Mutation({**body, "amount": a}, f"amount {body['amount']} -> {a}")),
        st.just(_one_cent_off(body)),
        st.builds(_one_character_off, st.just(body), st.integers(0), st.sampled_from(ALNUM)),
        st.sampled_from([c for c in CURRENCIES if c != body["currency"].upper()]).map(
            lambda c: Mutation({**body, "currency": c}, f"currency -> {c}")
        ),
        plain_descriptions()
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


def _one_cent_off(body: dict[str, Any]) -> Mutation:
    """The smallest change of a plain amount (1.00 to 1000.00, two decimals): one cent, up
    unless that leaves the plain range."""
    amount = body["amount"]
    changed = round(amount + 0.01, 2) if amount + 0.01 <= 1000 else round(amount - 0.01, 2)
    return Mutation({**body, "amount": changed}, f"amount {amount} -> {changed} (one cent)")


def _one_character_off(body: dict[str, Any], position: int, char: str) -> Mutation:
    """The description with one character replaced by another letter or digit."""
    text = body["description"]
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
