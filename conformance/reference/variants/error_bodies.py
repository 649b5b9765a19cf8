"""Error bodies as other frameworks write them. ERR-SHAPE asks for `statusCode` (the HTTP status)
and `message` (a string or a list of strings), extra fields allowed; AUTH-INVALID lets an error
body repeat what the request carried and carry fields of its own (a trace id, an error code)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from starlette.requests import Request

from ..model import ApiError, Reply
from ..store import Transaction
from .registry import Variant, variant

__all__ = [
    "EchoingUnauthorized",
    "NestFilterErrors",
    "NestNotFound",
    "NestValidationPipe",
    "ProblemDetailErrors",
    "SpringErrors",
    "TraceIdErrors",
    "as_text",
    "extended",
    "reason",
]


def reason(status: int) -> str:
    """The reason phrase of a status, as frameworks put it in an `error` field."""
    return HTTPStatus(status).phrase


def extended(error: ApiError, fields: Sequence[tuple[str, Any]]) -> ApiError:
    """The same error with more body fields."""
    copy = ApiError(error.status, error.message, error.headers, [*error.fields, *fields])
    copy.path = error.path
    return copy


def as_text(message: str | list[str]) -> str:
    return message if isinstance(message, str) else "; ".join(message)


@variant
class NestNotFound(Variant):
    name = "nestjs-404"
    summary = (
        'an unknown or another client\'s payment gets NestJS\'s {"statusCode":404,"message":'
        '"Payment <id> not found","error":"Not Found"} (AUTH-KEY-SCOPE, AUTH-INVALID: an '
        "error may repeat the URL's id)"
    )

    def unknown_payment(self, tx: Transaction, client: str, payment_id: str) -> ApiError:
        return ApiError(404, f"Payment {payment_id} not found", fields=[("error", "Not Found")])


@variant
class TraceIdErrors(Variant):
    name = "trace-id-errors"
    summary = (
        "every error body carries a trace id of its own in `id` and an error `code` "
        "(AUTH-INVALID, ERR-SHAPE: extra fields allowed)"
    )

    def render_error(self, error: ApiError) -> Reply:
        trace = [("id", f"trc_{secrets.token_hex(8)}"), ("code", HTTPStatus(error.status).name)]
        return super().render_error(extended(error, trace))


@variant
class EchoingUnauthorized(Variant):
    name = "echo-401"
    summary = (
        "a 401 body repeats what the request carried: method, path, the URL's payment id and "
        "the idempotency key (AUTH-INVALID)"
    )

    def authenticate_request(self, request: Request) -> str:
        try:
            return super().authenticate_request(request)
        except ApiError as error:
            if error.status != 401:
                raise
            carried: dict[str, str] = {"method": request.method, "path": request.url.path}
            if "id" in request.path_params:
                carried["paymentId"] = request.path_params["id"]
            key = request.headers.get("idempotency-key")
            if key is not None:
                carried["idempotencyKey"] = key
            raise extended(error, [("request", carried)]) from None


@variant
class NestFilterErrors(Variant):
    name = "nest-filter-errors"
    summary = (
        "error bodies add `error`, `timestamp` and `path`, as a NestJS exception filter "
        "writes them (ERR-SHAPE: extra fields allowed)"
    )

    def render_error(self, error: ApiError) -> Reply:
        more = [("error", reason(error.status)), ("timestamp", self.now()), ("path", error.path)]
        return super().render_error(extended(error, more))


@variant
class NestValidationPipe(Variant):
    name = "nest-validation-pipe"
    summary = (
        'invalid bodies get 400 {"message": [one string per problem], "error": "Bad Request"}, '
        "as NestJS's ValidationPipe answers (PAY-VALIDATION, ERR-SHAPE: a list of strings)"
    )

    def validation_error(self, messages: list[str]) -> ApiError:
        return ApiError(400, messages, fields=[("error", "Bad Request")])


@variant
class SpringErrors(Variant):
    name = "spring-errors"
    summary = (
        "error bodies carry Spring Boot's timestamp, status, error and path beside statusCode "
        "and message (ERR-SHAPE: extra fields allowed)"
    )

    def render_error(self, error: ApiError) -> Reply:
        spring = [
            ("timestamp", self.now()),
            ("status", error.status),
            ("error", reason(error.status)),
            ("path", error.path),
        ]
        return super().render_error(extended(error, spring))


@variant
class ProblemDetailErrors(Variant):
    name = "problem-detail-errors"
    summary = (
        "error bodies also carry RFC 9457 problem members: type, title, status, detail, "
        "instance (ERR-SHAPE: extra fields allowed)"
    )

    def render_error(self, error: ApiError) -> Reply:
        problem = [
            ("type", "about:blank"),
            ("title", reason(error.status)),
            ("status", error.status),
            ("detail", as_text(error.message)),
            ("instance", error.path),
        ]
        return super().render_error(extended(error, problem))
