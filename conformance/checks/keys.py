"""KEY-REQUIRED, KEY-EMPTY, KEY-LENGTH, KEY-ALPHABET, KEY-DUPLICATE-HEADER, REFUND-KEY: a key
that is missing, empty, of a bad length or with a bad character is refused with 400, and a
valid one is accepted. (KEY-HEADER-CASE and KEY-DISTINCT are replays: see replay.py and
payments.py.)
"""

from __future__ import annotations

from .answer import Answer
from .registry import check
from .status import ANY_2XX, expect_status

__all__ = ["key_refused_with_400", "valid_key_accepted"]


@check(
    "KEY-REQUIRED",
    "KEY-EMPTY",
    "KEY-LENGTH",
    "KEY-ALPHABET",
    "KEY-DUPLICATE-HEADER",
    "REFUND-KEY",
)
def key_refused_with_400(answer: Answer) -> None:
    """400 for a missing, empty or whitespace-only key, a key shorter than 6 or longer than 64
    characters, a key with whitespace, control or non-ASCII characters (SHOULD: other
    punctuation), or two key header lines."""
    expect_status(answer, {400}, "The idempotency key was not refused with 400")


@check("KEY-LENGTH", "KEY-ALPHABET", "AUTH-NOT-STORED", "AUTH-KEY-SCOPE")
def valid_key_accepted(answer: Answer) -> None:
    """A 2xx for a request with a valid key (6 to 64 letters, digits, `_` or `-`)."""
    expect_status(answer, ANY_2XX, "A request with a valid key was not processed")
