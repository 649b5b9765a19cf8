"""Server processes for the benchmarks: the reference server, the trivial server, their RSS."""

from __future__ import annotations

import os
import secrets
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance.reference.launch import running_reference_server

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_READY_PREFIX = "listening on "


class BenchServerError(RuntimeError):
    """A benchmark server did not start."""


@dataclass(frozen=True)
class Client:
    key: str
    secret: str

    @classmethod
    def fresh(cls) -> Client:
        return cls(f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16))

    @property
    def arg(self) -> str:
        return f"{self.key}:{self.secret}"


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB, from /proc/PID/status (VmRSS, in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchServerError(f"no VmRSS line in /proc/{pid}/status")


@contextmanager
def reference(*clients: Client | str, db: str | None = None) -> Iterator[Server]:
    """The reference server on a free loopback port, in memory unless ``db`` is a path; plain
    strings among ``clients`` are passed on as server options."""
    args = [a for c in clients for a in (("--client", c.arg) if isinstance(c, Client) else (c,))]
    if db is not None:
        args += ["--db", db]
    with running_reference_server(*args) as server:
        yield Server(server.base_url, server.process.pid)


@contextmanager
def trivial(timeout: float = 15.0) -> Iterator[Server]:
    """``python -m bench.trivial`` on a free loopback port, stopped when the block ends."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.trivial", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        try:
            if process.stdout is None:
                raise BenchServerError("the trivial server's stdout was not opened")
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            line = process.stdout.readline() if ready else ""
            if not line.startswith(_READY_PREFIX):
                stderr.seek(0)
                raise BenchServerError(
                    f"bench.trivial printed {line.strip()!r} instead of 'listening on URL' "
                    f"within {timeout:g} s; stderr:\n{stderr.read()[-2000:]}"
                )
            yield Server(line[len(_READY_PREFIX) :].strip(), process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
