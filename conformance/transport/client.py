"""Small request builders for the three operations, on top of the recording session.

One ApiClient per set of credentials; clients made with `as_client` or `fork` share the run's
journal, budget and pacer (the run's pace and its wait allowance), so every request counts, is
recorded once and is paced with the run's others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from urllib3 import HTTPHeaderDict

from conformance.spec import CREATE_OP, GET_OP, REFUND_OP, operation
from conformance.target import Credentials, Target
from conformance.transport.budget import Budget
from conformance.transport.pacing import Pacer, WaitAllowance
from conformance.transport.rate_slots import slots_for
from conformance.transport.records import Journal
from conformance.transport.redaction import redactor_for
from conformance.transport.session import RecordingSession

__all__ = ["KEY_HEADER", "ApiClient"]

KEY_HEADER = "Idempotency-Key"


class ApiClient:
    """The run's requests to the API under one set of credentials (or none)."""

    def __init__(
        self,
        target: Target,
        credentials: Credentials | None,
        *,
        journal: Journal,
        budget: Budget,
        session: RecordingSession | None = None,
    ) -> None:
        self.target = target
        self.credentials = credentials
        self.journal = journal
        self.budget = budget
        self.session = session or RecordingSession(
            journal=journal,
            budget=budget,
            redactor=redactor_for(target),
            timeout=target.timeout,
            verify=str(target.ca_bundle) if target.ca_bundle else True,
            pacer=Pacer(
                WaitAllowance(target.max_rate_limit_wait),
                rate=target.rate,
                sleep=budget.pause,
                slots=slots_for(target.rate_slots),
            ),
        )

    @classmethod
    def for_target(cls, target: Target) -> ApiClient:
        return cls(
            target, target.credentials, journal=Journal(), budget=Budget(target.max_requests)
        )

    def as_client(self, credentials: Credentials | None) -> ApiClient:
        """The same run's client acting with other credentials (None: no auth headers at all)."""
        return ApiClient(
            self.target, credentials, journal=self.journal, budget=self.budget, session=self.session
        )

    def fork(self) -> ApiClient:
        """A client with its own connection pool, for requests sent from another thread; it
        shares the run's journal, budget and pacer."""
        session = RecordingSession(
            journal=self.journal,
            budget=self.budget,
            redactor=self.session.redactor,
            timeout=self.target.timeout,
            verify=self.session.verify,
            pacer=self.session.pacer,
        )
        return ApiClient(
            self.target, self.credentials, journal=self.journal, budget=self.budget, session=session
        )

    def auth_headers(self) -> dict[str, str]:
        if self.credentials is None:
            return {}
        return {
            self.target.key_header: self.credentials.key,
            self.target.secret_header: self.credentials.secret,
        }

    def create(
        self,
        body: Any,
        key: str | None,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bytes | str | None = None,
        content_type: str | None = "application/json",
        header_lines: Iterable[tuple[str, str]] = (),
    ) -> requests.Response:
        """POST a payment. `raw` replaces the JSON encoding of `body` (for malformed input)."""
        data = raw if raw is not None else json.dumps(body)
        create = operation(CREATE_OP)
        return self.send(
            create.method,
            create.relative_path(),
            key=key,
            headers=headers,
            data=data,
            content_type=content_type,
            header_lines=header_lines,
        )

    def get(
        self, payment_id: str, *, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        get = operation(GET_OP)
        return self.send(get.method, get.relative_path(payment_id), headers=headers)

    def refund(
        self,
        payment_id: str,
        key: str | None,
        *,
        headers: Mapping[str, str] | None = None,
        header_lines: Iterable[tuple[str, str]] = (),
    ) -> requests.Response:
        refund = operation(REFUND_OP)
        return self.send(
            refund.method,
            refund.relative_path(payment_id),
            key=key,
            headers=headers,
            content_type=None,
            header_lines=header_lines,
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
        content_type: str | None = None,
        header_lines: Iterable[tuple[str, str]] = (),
    ) -> requests.Response:
        """Any request under the API root. `header_lines` are sent as separate lines, even when
        names repeat (requests alone would merge them)."""
        all_headers = {"Accept": "application/json", **self.auth_headers()}
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        if key is not None:
            all_headers[KEY_HEADER] = key
        all_headers.update(headers or {})
        request = requests.Request(
            method,
            self.target.url(path),
            headers=all_headers,
            data=data.encode() if isinstance(data, str) else data,
        )
        prepared = self.session.prepare_request(request)
        lines = list(header_lines)
        if lines:
            merged = HTTPHeaderDict(dict(prepared.headers))
            for name, value in lines:
                merged.add(name, value)
            prepared.headers = merged  # type: ignore[assignment]
        return self.session.send(prepared)
