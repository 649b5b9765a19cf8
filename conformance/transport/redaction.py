"""Secret redaction: no client key or secret ever reaches a report, a log line or JUnit.

Each secret value is replaced by the name of the environment variable that supplies it
(`$DEVDRAFT_SECRET`), so redacted exchanges read naturally and curl reproductions run as
written once the variables are set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import overload

from conformance.target import Target

__all__ = ["Redactor", "redactor_for"]


class Redactor:
    """Replaces every secret of the run by the text shown instead of it."""

    def __init__(self, placeholders: Mapping[str, str]) -> None:
        """`placeholders` maps each secret value to the text shown instead of it."""
        # Longest first, so that a secret containing another is replaced whole.
        self.placeholders = sorted(
            ((secret, shown) for secret, shown in placeholders.items() if secret),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )

    @overload
    def text(self, value: str) -> str: ...
    @overload
    def text(self, value: None) -> None: ...
    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for secret, shown in self.placeholders:
            value = value.replace(secret, shown)
        return value

    def content(self, value: bytes) -> bytes:
        """A body as bytes, redacted the same way (before it is decoded or cut)."""
        for secret, shown in self.placeholders:
            value = value.replace(secret.encode(), shown.encode())
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: self.text(value) or "" for name, value in headers.items()}


def redactor_for(target: Target) -> Redactor:
    """The run's redactor: each credential of the target shown as the variable that supplies it."""
    placeholders = {
        target.credentials.key: "$DEVDRAFT_API_KEY",
        target.credentials.secret: "$DEVDRAFT_SECRET",
    }
    if target.second_credentials:
        placeholders[target.second_credentials.key] = "$DEVDRAFT_SECOND_API_KEY"
        placeholders[target.second_credentials.secret] = "$DEVDRAFT_SECOND_SECRET"
    return Redactor(placeholders)
