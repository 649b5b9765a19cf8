"""``python -m conformance.reference``: parse options, bind the socket, announce it, serve.

The socket is bound and listening before the one line ``listening on http://HOST:PORT`` is
printed (flushed), so a launcher may pass ``--port 0`` and connect as soon as it reads it.
`serving_in_thread` serves the same options from a thread of the caller's process instead.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from .app import build_app
from .behaviour import Behaviour
from .faults import FAULTS
from .protocol import JsonErrorH11Protocol
from .settings import DEFAULT_BODY_TIMEOUT_SECONDS, DEFAULT_KEY_TTL_SECONDS, Settings
from .store import Store
from .variants import VARIANTS
from .variants.combined import variant_named

__all__ = ["bind_listening_socket", "chosen_behaviour", "main", "parser", "serving_in_thread"]


def _client(text: str) -> tuple[str, str]:
    key, sep, secret = text.partition(":")
    if not sep or not key or not secret:
        raise argparse.ArgumentTypeError(f"expected KEY:SECRET, got {text.split(':')[0]!r}:...")
    return key, secret


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance.reference",
        description="Reference server for the Test Payments API",
    )
    p.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="Port to bind; 0 picks a free one")
    p.add_argument(
        "--db",
        default=":memory:",
        metavar="PATH",
        help="SQLite file to keep data in (default: in memory)",
    )
    p.add_argument(
        "--key-ttl",
        type=_positive,
        default=DEFAULT_KEY_TTL_SECONDS,
        metavar="SECONDS",
        help="Lifetime of a stored idempotent response",
    )
    p.add_argument(
        "--client",
        type=_client,
        action="append",
        metavar="KEY:SECRET",
        help="Accepted client credentials (repeatable; default one built-in client)",
    )
    p.add_argument(
        "--rate-limit",
        type=_positive,
        default=None,
        metavar="N",
        help="Requests per second per client; above it 429 (default: off)",
    )
    p.add_argument(
        "--body-timeout",
        type=_positive,
        default=DEFAULT_BODY_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="Time a request body may take to arrive; a slower one gets 408 (default 10)",
    )
    p.add_argument(
        "--latency",
        type=_non_negative,
        default=0.0,
        metavar="SECONDS",
        help="Wait this long before each operation, as a far-away target would (default 0)",
    )
    choice = p.add_mutually_exclusive_group()
    choice.add_argument(
        "--variant",
        default=Behaviour.name,
        metavar="NAME",
        help="A conformant variant, or several joined with '+'; 'list' prints them",
    )
    choice.add_argument(
        "--fault",
        default=None,
        metavar="NAME",
        help="A deliberately faulty server; 'list' prints them",
    )
    p.add_argument("--access-log", action="store_true", help="Log every request to stderr")
    return p


def chosen_behaviour(args: argparse.Namespace) -> type[Behaviour]:
    """The server the parsed options choose: a fault, or a variant or combination of variants;
    ValueError saying why a name chooses none."""
    if args.fault is not None:
        if args.fault not in FAULTS:
            raise ValueError(f"unknown fault {args.fault!r}")
        return FAULTS[args.fault]
    return variant_named(args.variant)


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening before uvicorn takes it (also used by the
    benchmark's trivial server, so both stacks listen alike)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it a kept-alive connection waits ~40 ms for
    # a delayed ACK between the response head and body.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    kind, name = ("fault", args.fault) if args.fault is not None else ("variant", args.variant)
    if name == "list":
        for listed in (FAULTS if kind == "fault" else VARIANTS).values():
            print(f"{listed.name:<24} {listed.summary}")
        return 0
    try:
        cls = chosen_behaviour(args)
    except ValueError as exc:
        p.error(f"{exc}; '--{kind} list' prints the names")
    try:
        sock = bind_listening_socket(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot bind {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"listening on {_base_url(sock)}", flush=True)
    server, behaviour = _server(args, cls)
    server.run(sockets=[sock])
    behaviour.store.close()
    return 0


@contextmanager
def serving_in_thread(*argv: str) -> Iterator[str]:
    """The server these command-line options describe (``--port 0`` unless given), in a thread
    of this process until the block ends; yields its base URL. For callers that start many
    short-lived servers: no process to start, no module to import again. The socket listens
    before the block starts, so a client may connect at once; a refused option raises
    SystemExit as on the command line, an unknown name ValueError."""
    args = parser().parse_args(["--port", "0", *argv])
    server, behaviour = _server(args, chosen_behaviour(args))
    sock = bind_listening_socket(args.host, args.port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield _base_url(sock)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        behaviour.store.close()


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(args: argparse.Namespace, cls: type[Behaviour]) -> tuple[uvicorn.Server, Behaviour]:
    """The uvicorn server of the parsed options, not yet serving, and its behaviour."""
    settings = Settings(
        db_path=args.db,
        key_ttl=args.key_ttl,
        clients=dict(args.client) if args.client else Settings().clients,
        rate_limit=args.rate_limit,
        body_timeout=args.body_timeout,
        latency=args.latency,
    )
    behaviour = cls(Store(settings.db_path), settings)
    config = uvicorn.Config(
        build_app(behaviour),
        log_level="warning",
        access_log=args.access_log,
        http=JsonErrorH11Protocol,
        ws="none",
        lifespan="off",
        timeout_graceful_shutdown=3,
    )
    return uvicorn.Server(config), behaviour
