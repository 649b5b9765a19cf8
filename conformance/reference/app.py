"""The Starlette application: three thin routes over a Behaviour, and JSON for every error."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .behaviour import Behaviour
from .model import ApiError, Reply

API_PREFIX = "/api/v0/test-payment"


def _behaviour(request: Request) -> Behaviour:
    behaviour: Behaviour = request.app.state.behaviour
    return behaviour


def _response(reply: Reply) -> Response:
    return Response(
        reply.body,
        status_code=reply.status,
        headers=dict(reply.headers),
        media_type=reply.content_type or None,
    )


async def create_payment(request: Request) -> Response:
    return _response(await _behaviour(request).create(request))


async def get_payment(request: Request) -> Response:
    return _response(await _behaviour(request).get(request, request.path_params["id"]))


async def refund_payment(request: Request) -> Response:
    return _response(await _behaviour(request).refund(request, request.path_params["id"]))


async def on_api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - registered for ApiError only
        raise exc
    return _response(_behaviour(request).render_error(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException
        raise exc
    error = ApiError(exc.status_code, str(exc.detail), exc.headers)
    return _response(_behaviour(request).render_error(error))


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    """Never expected; answers a JSON 500 and keeps the traceback off the wire."""
    return _response(_behaviour(request).render_error(ApiError(500, "Internal Server Error")))


def build_app(behaviour: Behaviour) -> Starlette:
    app = Starlette(
        routes=[
            Route(API_PREFIX, create_payment, methods=["POST"]),
            Route(API_PREFIX + "/{id}", get_payment, methods=["GET"]),
            Route(API_PREFIX + "/{id}/refund", refund_payment, methods=["POST"]),
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
