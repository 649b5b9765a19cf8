"""One recorded answer as the checks see it: status, media type, text and parsed JSON.

Standard library only: a reproduction carries the checks with it and judges its own answers
with them, so what the suite judged and what the reproduction judges are the same code.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

__all__ = ["Answer", "describe", "differences", "excerpt", "is_num", "is_time", "same_number"]

EXCERPT = 300


class Answer:
    """A response: status, Content-Type, text, the JSON body (None when it is not JSON), the
    headers, and `seq`, its position in the run's journal (None when it was not recorded)."""

    def __init__(
        self,
        status: int,
        content_type: str | None,
        text: str,
        headers: dict[str, str] | None = None,
        seq: int | None = None,
    ) -> None:
        self.status = status
        self.content_type = content_type or ""
        self.media = self.content_type.split(";")[0].strip().lower()
        self.text = text
        self.headers = headers or {}
        self.seq = seq
        try:
            self.json: Any = json.loads(text) if text.strip() else None
        except ValueError:
            self.json = None
        self.is_json = self.json is not None or text.strip() == "null"

    @classmethod
    def of(cls, response: Any) -> Answer:
        """An Answer from a requests.Response, a recorded Exchange or an Answer (duck-typed, so
        this module needs nothing beyond the standard library)."""
        if isinstance(response, Answer):
            return response
        if hasattr(response, "status_code"):  # requests.Response
            exchange = getattr(response, "conformance_exchange", None)
            headers = dict(response.headers)
            return cls(
                response.status_code,
                response.headers.get("Content-Type"),
                response.content.decode("utf-8", "replace"),
                headers,
                getattr(exchange, "seq", None),
            )
        headers = dict(response.response_headers)  # an Exchange
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        return cls(
            response.status or 0, content_type, response.response_body or "", headers, response.seq
        )

    def get(self, name: str) -> Any:
        return self.json.get(name) if isinstance(self.json, dict) else None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def client_error(self) -> bool:
        return 400 <= self.status < 500


def excerpt(text: str | None, limit: int = EXCERPT) -> str:
    if text is None:
        return "(no body)"
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def describe(answer: Answer) -> str:
    """`409 application/json {"statusCode": ...}` cut to a readable length."""
    return f"{answer.status} {answer.content_type or 'no content type'} {excerpt(answer.text)}"


def is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_number(a: Any, b: Any) -> bool:
    """Equal as numbers (`100`, `100.0` and `1e2` are one amount); never a bool or a string."""
    if not (is_num(a) and is_num(b)):
        return False
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0)


def is_time(value: Any) -> bool:
    """An ISO-8601 date-time (a date, `T`, a time; any fraction; `Z` or an offset)."""
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def differences(expected: Any, received: Any) -> str:
    """The top-level fields that differ, for a message: `amount: 100 != 101; id: missing`."""
    if not (isinstance(expected, dict) and isinstance(received, dict)):
        return "the bodies differ"
    parts = []
    for name in sorted(set(expected) | set(received), key=str):
        if name not in received:
            parts.append(f"{name}: missing")
        elif name not in expected:
            parts.append(f"{name}: added")
        elif expected[name] != received[name]:
            parts.append(
                f"{name}: {excerpt(json.dumps(expected[name]), 60)} != "
                f"{excerpt(json.dumps(received[name]), 60)}"
            )
    return "; ".join(parts) or "the bodies differ"
