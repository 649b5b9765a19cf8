"""Secret redaction: no client key or secret ever reaches a report, a log line or JUnit.

Each secret value is replaced by the name of the environment variable that supplies it
(`$DEVDRAFT_SECRET`), so redacted exchanges read naturally and curl reproductions run as
written once the variables are set.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Redactor"]


class Redactor:
    def __init__(self, placeholders: Mapping[str, str]) -> None:
        """`placeholders` maps each secret value to the text shown instead of it."""
        # Longest first, so that a secret containing another is replaced whole.
        self.placeholders = sorted(
            ((secret, shown) for secret, shown in placeholders.items() if secret),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for secret, shown in self.placeholders:
            value = value.replace(secret, shown)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: self.text(value) or "" for name, value in headers.items()}
