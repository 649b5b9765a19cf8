"""``python -m bench.loadgen``: a load generator in its own process, printing one JSON line.

Each of ``--threads`` threads holds one keep-alive ``http.client`` connection and sends the same
small payment request until ``--seconds`` pass or ``--count`` requests were sent in all:

- ``create``: a fresh idempotency key every request (each one creates a payment);
- ``replay``: one key per thread, created once before the clock starts, then resent unchanged;
- ``trivial``: the same request to the trivial endpoint of ``bench.trivial``.

Before the clock starts each thread sends one request (``warmup_requests``), which opens its
connection. The output is ``{"mode", "threads", "warmup_requests", "requests", "seconds",
"per_second", "cpu_share", "server_cpu_share", "statuses", "errors", "error_count"}``:
``cpu_share`` is this process's CPU time over the wall time (1.0 is one core busy),
``server_cpu_share`` the same for the process ``--server-pid`` (read from /proc). A request
counts when its answer is 2xx; anything else lands in ``errors``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

API_PATH = "/api/v0/test-payment"
TRIVIAL_PATH = "/trivial"
BODY = json.dumps(
    {"amount": 12.5, "currency": "USD", "description": "bench payment", "customerId": "cus_bench"}
).encode()
MAX_ERRORS = 50
"""A run stops early after this many failed requests: the figures would mean nothing."""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LoadError(RuntimeError):
    """The load generator could not run its measurement."""


@dataclass
class Worker:
    host: str
    port: int
    path: str
    headers: dict[str, str]
    keys: itertools.count[int] | None
    """Shared counter for fresh keys; None resends ``fixed_key``."""
    fixed_key: str
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    done: int = 0

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        self.prefix = f"bench-{os.getpid()}-"

    def send(self) -> int:
        key = self.fixed_key if self.keys is None else f"{self.prefix}{next(self.keys)}"
        try:
            self.conn.request("POST", self.path, BODY, {**self.headers, "Idempotency-Key": key})
            response = self.conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return 0
        return response.status

    def run(
        self, start: threading.Barrier, stop_at: list[float], budget: itertools.count[int]
    ) -> None:
        start.wait()
        while time.perf_counter() < stop_at[0] and len(self.errors) < MAX_ERRORS:
            if next(budget) <= 0:
                break
            status = self.send()
            if status:
                self.statuses[status] += 1
                if 200 <= status < 300:
                    self.done += 1
                else:
                    self.errors.append(f"status {status}")
        self.conn.close()


def measure(
    base_url: str,
    mode: str,
    threads: int,
    seconds: float,
    count: int,
    key: str,
    secret: str,
    server_pid: int | None = None,
) -> dict[str, object]:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    path = TRIVIAL_PATH if mode == "trivial" else API_PATH
    headers = {"Content-Type": "application/json", "x-client-key": key, "x-client-secret": secret}
    keys = itertools.count() if mode in ("create", "trivial") else None
    workers = [
        Worker(host, port, path, headers, keys, f"bench-replay-{os.getpid()}-{n}")
        for n in range(threads)
    ]
    for worker in workers:  # open each connection (and, for replays, create the payment)
        status = worker.send()
        if not 200 <= status < 300:
            raise LoadError(f"warm-up {mode} request answered {status or worker.errors[-1]}")
    budget = itertools.count(count, -1)
    start = threading.Barrier(threads + 1)
    stop_at = [float("inf")]
    pool = [
        threading.Thread(target=w.run, args=(start, stop_at, budget), daemon=True) for w in workers
    ]
    for thread in pool:
        thread.start()
    began = time.perf_counter()
    cpu_began = time.process_time()
    server_began = cpu_seconds(server_pid) if server_pid else 0.0
    stop_at[0] = began + seconds
    start.wait()
    for thread in pool:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    server_cpu = cpu_seconds(server_pid) - server_began if server_pid else None
    done = sum(w.done for w in workers)
    statuses: Counter[int] = Counter()
    for w in workers:
        statuses.update(w.statuses)
    errors = [e for w in workers for e in w.errors]
    return {
        "mode": mode,
        "threads": threads,
        "warmup_requests": threads,
        "requests": done,
        "seconds": round(elapsed, 3),
        "per_second": round(done / elapsed, 1) if elapsed > 0 else 0.0,
        "cpu_share": round(cpu / elapsed, 2) if elapsed > 0 else 0.0,
        "server_cpu_share": (
            round(server_cpu / elapsed, 2) if server_cpu is not None and elapsed > 0 else None
        ),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors[:5],
        "error_count": len(errors),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    p.add_argument("--url", required=True, help="Base URL, e.g. http://127.0.0.1:8000")
    p.add_argument("--mode", choices=("create", "replay", "trivial"), required=True)
    p.add_argument("--threads", type=int, default=3, help="Concurrent connections")
    p.add_argument("--seconds", type=float, default=4.0, help="Measurement time limit")
    p.add_argument("--count", type=int, default=1_000_000, help="Request limit (all threads)")
    p.add_argument("--key", required=True, help="Client key")
    p.add_argument("--secret", required=True, help="Client secret")
    p.add_argument("--server-pid", type=int, help="Server process whose CPU time to report")
    args = p.parse_args(argv)
    if not 1 <= args.threads <= 16 or not 0 < args.seconds <= 120 or args.count < 1:
        p.error("--threads must be 1-16, --seconds 0-120 and --count positive")
    try:
        result = measure(
            args.url,
            args.mode,
            args.threads,
            args.seconds,
            args.count,
            args.key,
            args.secret,
            args.server_pid,
        )
    except LoadError as exc:
        print(f"bench.loadgen: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
