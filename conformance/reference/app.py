"""The Starlette application: three thin routes over a Behaviour, and JSON for every error."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .behaviour import Behaviour
from .model import ApiError, Reply

__all__ = [
    "LOG",
    "RESOURCE",
    "Endpoint",
    "answers_500",
    "build_app",
    "create_payment",
    "get_payment",
    "on_api_error",
    "on_http_error",
    "on_unexpected_error",
    "refund_payment",
]

RESOURCE = "/test-payment"
LOG = logging.getLogger("conformance.reference")
Endpoint = Callable[[Request], Awaitable[Response]]


def _behaviour(request: Request) -> Behaviour:
    behaviour: Behaviour = request.app.state.behaviour
    return behaviour


def _response(request: Request, reply: Reply) -> Response:
    return _behaviour(request).respond(request, reply)


def _error(request: Request, error: ApiError) -> Response:
    error.path = request.url.path
    return _response(request, _behaviour(request).render_error(error))


def _internal_error(request: Request) -> Response:
    return _error(request, ApiError(500, "Internal Server Error"))


def answers_500(endpoint: Endpoint) -> Endpoint:
    """An unexpected exception in a route becomes a JSON 500 right here. Left to Starlette's
    outermost handler it would answer 500 too, but then re-raise, and uvicorn would drop the
    kept-alive connection under the client's next request."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (ApiError, HTTPException):
            raise
        except Exception:
            LOG.exception("unexpected error in %s %s", request.method, request.url.path)
            return _internal_error(request)

    return guarded


@answers_500
async def create_payment(request: Request) -> Response:
    return _response(request, await _behaviour(request).create(request))


@answers_500
async def get_payment(request: Request) -> Response:
    return _response(request, await _behaviour(request).get(request, request.path_params["id"]))


@answers_500
async def refund_payment(request: Request) -> Response:
    return _response(request, await _behaviour(request).refund(request, request.path_params["id"]))


async def on_api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - registered for ApiError only
        raise exc
    return _error(request, exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException
        raise exc
    return _error(request, ApiError(exc.status_code, str(exc.detail), exc.headers))


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    """Never expected outside a route; answers a JSON 500 and keeps the traceback off the wire."""
    return _internal_error(request)


def build_app(behaviour: Behaviour) -> Starlette:
    root = behaviour.api_prefix + RESOURCE
    app = Starlette(
        routes=[
            Route(root, create_payment, methods=["POST"]),
            Route(root + "/{id}", get_payment, methods=["GET"]),
            Route(root + "/{id}/refund", refund_payment, methods=["POST"]),
        ],
        exception_handlers={
            ApiError: on_api_error,
            HTTPException: on_http_error,
            Exception: on_unexpected_error,
        },
    )
    app.router.redirect_slashes = False
    app.state.behaviour = behaviour
    return app
