"""Start the reference server in a subprocess and wait until it listens (tests and the CLI).

    with running_reference_server("--db", path) as server:
        requests.get(server.base_url + "/api/v0/test-payment/x", ...)

The server prints ``listening on URL`` once its socket listens; the launcher reads that line
from the pipe (no polling), keeps both pipes drained, and stops the server on exit.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["ReferenceServerError", "RunningServer", "running_reference_server"]

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
_READY_PREFIX = "listening on "


class ReferenceServerError(RuntimeError):
    """The reference server exited or stayed silent before it was listening."""


@dataclass
class RunningServer:
    base_url: str
    port: int
    process: subprocess.Popen[str]
    _stderr: list[str] = field(default_factory=list, repr=False)

    @property
    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        return "".join(self._stderr)

    def kill(self) -> None:
        """SIGKILL, no cleanup: what a crash looks like to the database."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def _drain(stream: IO[str], sink: list[str] | queue.Queue[str | None]) -> None:
    for line in stream:
        if isinstance(sink, list):
            sink.append(line)
        else:
            sink.put(line)
    if isinstance(sink, queue.Queue):
        sink.put(None)


def _start_thread(stream: IO[str], sink: list[str] | queue.Queue[str | None]) -> threading.Thread:
    thread = threading.Thread(target=_drain, args=(stream, sink), daemon=True)
    thread.start()
    return thread


@contextmanager
def running_reference_server(
    *args: str, timeout: float = 15.0, new_session: bool = False
) -> Iterator[RunningServer]:
    """Run ``python -m conformance.reference --port 0 *args`` until the block ends;
    `new_session` keeps the terminal's Ctrl-C away from it (the caller stops it)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT_ROOT, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "conformance.reference", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=new_session,
    )
    if process.stdout is None or process.stderr is None:
        raise ReferenceServerError("the server's pipes were not opened")
    lines: queue.Queue[str | None] = queue.Queue()
    stderr: list[str] = []
    threads = [_start_thread(process.stdout, lines), _start_thread(process.stderr, stderr)]
    try:
        url = _wait_for_url(lines, process, stderr, threads, timeout)
        port = int(url.rsplit(":", 1)[1])
        yield RunningServer(base_url=url, port=port, process=process, _stderr=stderr)
    finally:
        _stop(process)
        for thread in threads:
            thread.join(timeout=5)
        process.stdout.close()
        process.stderr.close()


def _wait_for_url(
    lines: queue.Queue[str | None],
    process: subprocess.Popen[str],
    stderr: list[str],
    threads: list[threading.Thread],
    timeout: float,
) -> str:
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = None
        problem = f"did not report 'listening on' within {timeout:g} s"
    else:
        problem = f"exited with code {process.wait(timeout=5)}" if line is None else ""
    if line is not None and line.startswith(_READY_PREFIX):
        return line[len(_READY_PREFIX) :].strip()
    if line is not None:
        problem = f"printed {line.strip()!r} instead of 'listening on URL'"
    _stop(process)
    threads[1].join(timeout=5)
    raise ReferenceServerError(
        f"reference server {problem}; command: {' '.join(process.args)}; "  # type: ignore[arg-type]
        f"stderr:\n{''.join(stderr)[-4000:]}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
