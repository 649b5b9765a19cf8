"""Where the spec deliberately says something other than the source document, and the statuses
and resolved contradictions it adds, each citing the REQUIREMENTS.md row (or the document's own
words) that decides it."""

from __future__ import annotations

from dataclasses import dataclass

from .support import CREATE, GET, REFUND

__all__ = [
    "ADDED_STATUSES",
    "DIFFERENCES",
    "EXTRA_KEY_CHARACTERS",
    "NOTED_CONTRADICTIONS",
    "Difference",
]


@dataclass(frozen=True)
class Difference:
    """A place where the spec deliberately says something other than the document."""

    document: str
    spec: str
    source: str
    """The REQUIREMENTS.md row (resolved-contradiction topic or requirement id) or the
    document's own statement that decides it."""


# (kind, what the document shows) -> how the spec says it, and why.
DIFFERENCES: dict[tuple[str, str], Difference] = {
    ("header", "Client-Key"): Difference(
        "Client-Key", "x-client-key", "REQUIREMENTS.md resolved contradiction 'auth header names'"
    ),
    ("header", "Client-Secret"): Difference(
        "Client-Secret",
        "x-client-secret",
        "REQUIREMENTS.md resolved contradiction 'auth header names'",
    ),
    ("path-prefix", "/rest-api"): Difference(
        "/rest-api", "/api", "REQUIREMENTS.md resolved contradiction 'path prefix'"
    ),
    ("host", "https://api.example.com"): Difference(
        "https://api.example.com",
        "https://api.devdraft.ai",
        "the document's own 'All URIs are relative to *https://api.devdraft.ai*'",
    ),
    ("key-alphabet", "alphanumeric"): Difference(
        "alphanumeric",
        "letters, digits, _ and -",
        "REQUIREMENTS.md resolved contradiction 'key alphabet' (KEY-ALPHABET)",
    ),
    ("refund-header", "Content-Type"): Difference(
        "Content-Type: application/json in the refund curl",
        "no request body on refund",
        "the document's own refund 'HTTP request headers': Content-Type Not defined",
    ),
}
EXTRA_KEY_CHARACTERS = "_-"  # what DIFFERENCES[("key-alphabet", ...)] adds to alphanumerics

# Statuses the spec documents beyond the document's tables, each accepted by REQUIREMENTS.md.
ADDED_STATUSES: dict[tuple[str, int], str] = {
    (CREATE, 415): "PAY-VALIDATION (any 4xx; 400, 415 and 422 named)",
    (CREATE, 422): "PAY-VALIDATION (any 4xx; 400, 415 and 422 named)",
    (GET, 403): "AUTH-KEY-SCOPE (404 or 403)",
    (GET, 404): "PAY-GET-UNKNOWN (SHOULD 404); resolved contradiction 'unknown payment id'",
    (REFUND, 403): "AUTH-KEY-SCOPE (404 or 403)",
    (REFUND, 404): "REFUND-UNKNOWN (SHOULD 404)",
    (REFUND, 422): "REFUND-ONCE, CONFLICT-CROSS-OPERATION (400/409/422 accepted)",
}

# The resolved contradictions of REQUIREMENTS.md that the spec itself must carry a note for.
NOTED_CONTRADICTIONS = ("auth header names", "key alphabet", "path prefix", "GET error table")
