"""Secret redaction: no client key or secret ever reaches a report, a log line or JUnit.

Each secret value is replaced by the name of the environment variable that supplies it
(`$DEVDRAFT_SECRET`), so redacted exchanges read naturally and curl reproductions run as
written once the variables are set. A short secret is replaced only where it stands alone
(WORD_ONLY_BELOW says why).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import overload

from conformance.target import Target

__all__ = ["WORD_ONLY_BELOW", "Redactor", "redactor_for"]

WORD_ONLY_BELOW = 12
"""A secret shorter than this may be an ordinary piece of the API's answers (a key `pay` in the
id `pay_1a2b`, a secret `a` in `amount`): it is replaced only where it stands alone, never
inside a longer name, id or word, since the checks judge the answers as redacted and would see
a broken body. One that is a whole value of an answer (a key `USD`) is still replaced there. A
longer secret is replaced wherever it appears."""

_TOKEN = "A-Za-z0-9_-"
"""The characters that continue a name or an id."""


def _pattern(secret: str) -> re.Pattern[str]:
    escaped = re.escape(secret)
    if len(secret) >= WORD_ONLY_BELOW:
        return re.compile(escaped)
    return re.compile(f"(?<![{_TOKEN}]){escaped}(?![{_TOKEN}])")


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
        # The placeholders as re replacement strings: a backslash in one stays a backslash.
        self._patterns = [
            (secret, _pattern(secret), shown.replace("\\", "\\\\"))
            for secret, shown in self.placeholders
        ]
        self._byte_patterns = [
            (secret.encode(), re.compile(pattern.pattern.encode()), shown.encode())
            for secret, pattern, shown in self._patterns
        ]

    @overload
    def text(self, value: str) -> str: ...
    @overload
    def text(self, value: None) -> None: ...
    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for secret, pattern, shown in self._patterns:
            if secret in value:
                value = pattern.sub(shown, value)
        return value

    def content(self, value: bytes) -> bytes:
        """A body as bytes, redacted the same way (before it is decoded or cut)."""
        for secret, pattern, shown in self._byte_patterns:
            if secret in value:
                value = pattern.sub(shown, value)
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
