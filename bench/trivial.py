"""``python -m bench.trivial``: the reference server's stack (uvicorn, h11, Starlette) with
one route that returns a small JSON body, served exactly as ``conformance.reference`` serves.

It prints ``listening on http://HOST:PORT`` once its socket listens, like the reference server.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.reference.cli import bind_listening_socket
from conformance.reference.protocol import JsonErrorH11Protocol

TRIVIAL_PATH = "/trivial"
_BODY = b'{"status":"ok"}'


async def trivial(request: Request) -> Response:
    await request.body()
    return Response(_BODY, status_code=200, media_type="application/json")


def build_app() -> Starlette:
    return Starlette(routes=[Route(TRIVIAL_PATH, trivial, methods=["GET", "POST"])])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.trivial", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="Port to bind; 0 picks a free one")
    args = p.parse_args(argv)
    sock = bind_listening_socket("127.0.0.1", args.port)
    host, port = sock.getsockname()[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    config = uvicorn.Config(
        build_app(),
        log_level="warning",
        access_log=False,
        http=JsonErrorH11Protocol,
        ws="none",
        lifespan="off",
        timeout_graceful_shutdown=3,
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
