"""Ids and timestamps in other shapes. PAY-CREATE asks only that `id` is a string and
`timestamp` an ISO-8601 date-time; PAY-GET-UNKNOWN leaves the status of an unknown id open
(any 4xx, 404 SHOULD)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from .registry import Variant, variant


@variant
class UuidIds(Variant):
    name = "uuid-ids"
    summary = "ids are UUIDs; timestamps carry +00:00 and no milliseconds (PAY-CREATE)"

    def new_id(self, prefix: str) -> str:
        return str(uuid.uuid4())

    def now(self) -> str:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
