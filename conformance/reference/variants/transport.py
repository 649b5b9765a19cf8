"""The same answers on the wire in other allowed forms, and other names for where the API lives.

REPLAY-IDENTICAL compares status, Content-Type (its media type) and the JSON body only;
SCHEMA-RESPONSES allows parameters such as charset; the resolved contradictions "path prefix"
and "auth header names" let a user point the suite at another prefix and other header names.
"""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..model import JSON_TYPE, Reply
from .registry import Variant, variant

__all__ = [
    "CharsetJson",
    "ChunkedBodies",
    "ConnectionClose",
    "CurlAuthHeaders",
    "GzipBodies",
    "RequestIds",
    "RestApiPrefix",
    "Slow",
    "accepts_gzip",
]


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether gzip is acceptable: no Accept-Encoding at all means any coding is (RFC 9110
    section 12.5.3); otherwise gzip or * with a non-zero q."""
    if accept_encoding is None:
        return True
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        q = params.strip().lower().removeprefix("q=") if params else "1"
        try:
            return float(q) > 0
        except ValueError:
            return False
    return False


@variant
class Slow(Variant):
    name = "slow"
    summary = (
        "every request takes about 20 ms longer (no requirement bounds latency: PAY-CREATE "
        "and the rest judge answers, not their speed)"
    )
    latency = 0.02
    runs_alone = True

    async def on_request(self) -> None:
        await asyncio.sleep(self.latency)


@variant
class CharsetJson(Variant):
    name = "charset-json"
    summary = "JSON answers say application/json; charset=utf-8 (SCHEMA-RESPONSES: charset allowed)"

    def respond(self, request: Request, reply: Reply) -> Response:
        if reply.content_type == JSON_TYPE:
            reply = Reply(reply.status, reply.body, reply.headers, f"{JSON_TYPE}; charset=utf-8")
        return super().respond(request, reply)


@variant
class ConnectionClose(Variant):
    name = "connection-close"
    summary = (
        "every response says Connection: close and ends its connection "
        "(REPLAY-IDENTICAL, SCHEMA-RESPONSES: status, Content-Type and body only)"
    )

    def respond(self, request: Request, reply: Reply) -> Response:
        response = super().respond(request, reply)
        response.headers["Connection"] = "close"
        return response


@variant
class GzipBodies(Variant):
    name = "gzip"
    summary = (
        "bodies are gzip-encoded whenever the client accepts it, or says nothing "
        "(REPLAY-IDENTICAL judges the JSON body)"
    )

    def respond(self, request: Request, reply: Reply) -> Response:
        if not reply.body or not accepts_gzip(request.headers.get("accept-encoding")):
            return super().respond(request, reply)
        packed = Reply(reply.status, gzip.compress(reply.body), reply.headers, reply.content_type)
        response = super().respond(request, packed)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        return response


@variant
class ChunkedBodies(Variant):
    name = "chunked"
    summary = (
        "bodies go out with Transfer-Encoding: chunked, in pieces, no Content-Length "
        "(REPLAY-IDENTICAL, SCHEMA-RESPONSES: status, Content-Type and body only)"
    )
    piece = 16

    def respond(self, request: Request, reply: Reply) -> Response:
        def pieces() -> Iterator[bytes]:
            for start in range(0, len(reply.body), self.piece):
                yield reply.body[start : start + self.piece]

        return StreamingResponse(
            pieces(),
            status_code=reply.status,
            headers=dict(reply.headers),
            media_type=reply.content_type or None,
        )


@variant
class RequestIds(Variant):
    name = "request-id-header"
    summary = (
        "every response carries its own X-Request-Id, a replay's too "
        "(REPLAY-IDENTICAL: status, Content-Type and body only)"
    )

    def respond(self, request: Request, reply: Reply) -> Response:
        response = super().respond(request, reply)
        response.headers["X-Request-Id"] = str(uuid.uuid4())
        return response


@variant
class RestApiPrefix(Variant):
    name = "rest-api-prefix"
    summary = (
        "the API lives under /rest-api/v0, as the document's curl examples show "
        '(resolved contradiction "path prefix"; the suite gets --path-prefix)'
    )
    api_prefix = "/rest-api/v0"


@variant
class CurlAuthHeaders(Variant):
    name = "curl-auth-headers"
    summary = (
        "credentials come in Client-Key and Client-Secret, as the curl examples send them "
        '(resolved contradiction "auth header names"; the suite gets --key-header/--secret-header)'
    )
    key_header = "Client-Key"
    secret_header = "Client-Secret"
