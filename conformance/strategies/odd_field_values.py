"""Create bodies valid but for one field's value: of another JSON type (PAY-VALIDATION), or of
its own type but unusual enough that a careless server crashes on it (ERR-NO-5XX)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

__all__ = ["ODD_VALUES", "WRONG_KINDS", "OddValue", "odd_values", "wrong_kinds"]


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
