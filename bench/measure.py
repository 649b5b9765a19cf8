"""The three measurements: server throughput, suite cost, server memory under many keys.

Each returns plain data (dicts of numbers); ``report`` prints it and writes the JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from .loadgen import API_PATH, BODY
from .servers import PROJECT_ROOT, Client, Server, reference, rss_mb, trivial

SUITE_TIMEOUT_SECONDS = 240.0


class BenchError(RuntimeError):
    """A measurement could not be taken; the message says which and why."""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def load(
    server: Server, client: Client, mode: str, threads: int, seconds: float, count: int = 10**6
) -> dict[str, Any]:
    """Run ``bench.loadgen`` in its own process against ``server``; its JSON result."""
    command = [sys.executable, "-m", "bench.loadgen", "--url", server.base_url, "--mode", mode]
    command += ["--threads", str(threads), "--seconds", str(seconds), "--count", str(count)]
    command += ["--key", client.key, "--secret", client.secret]
    command += ["--server-pid", str(server.pid)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, env=_env(), check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise BenchError(f"load generator ({mode}) exited {done.returncode}: {done.stderr[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["error_count"]:
        raise BenchError(f"load generator ({mode}) saw errors: {result['errors']}")
    return result


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def throughput(threads: int, seconds: float) -> dict[str, Any]:
    """Creates/s and replays/s on the reference server, creates/s with --db, trivial/s."""
    client = Client.fresh()
    with reference(client) as server:
        creates = load(server, client, "create", threads, seconds)
        replays = load(server, client, "replay", threads, seconds)
    with (
        tempfile.TemporaryDirectory() as scratch,
        reference(client, db=str(Path(scratch) / "bench.sqlite3")) as server,
    ):
        creates_db = load(server, client, "create", threads, seconds)
    with trivial() as server:
        plain = load(server, client, "trivial", threads, seconds)
    rates = {
        "creates": creates["per_second"],
        "replays": replays["per_second"],
        "creates_db": creates_db["per_second"],
        "trivial": plain["per_second"],
    }
    return {
        "threads": threads,
        "seconds": seconds,
        "per_second": rates,
        "ratio_to_trivial": {
            name: _ratio(rate, rates["trivial"])
            for name, rate in rates.items()
            if name != "trivial"
        },
        "runs": {
            "creates": creates,
            "replays": replays,
            "creates_db": creates_db,
            "trivial": plain,
        },
    }


def plain_loop(base_url: str, client: Client, count: int, seconds: float) -> dict[str, Any]:
    """What a minimal client does: one Session, sequential creates with fresh keys."""
    headers = {
        "Content-Type": "application/json",
        "x-client-key": client.key,
        "x-client-secret": client.secret,
    }
    url = base_url + API_PATH
    done = 0
    with requests.Session() as session:
        session.post(url, data=BODY, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        began = time.perf_counter()
        while done < count and time.perf_counter() - began < seconds:
            key = f"plain-{uuid.uuid4().hex}"
            response = session.post(url, data=BODY, headers={**headers, "Idempotency-Key": key})
            if response.status_code != 201:
                raise BenchError(f"plain loop: create answered {response.status_code}")
            done += 1
        elapsed = time.perf_counter() - began
    return {
        "requests": done,
        "seconds": round(elapsed, 3),
        "per_second": round(done / elapsed, 1),
        "ms_per_request": round(1000 * elapsed / done, 3),
    }


def _slowest_tests(report: dict[str, Any], n: int) -> list[dict[str, Any]]:
    tests: dict[str, float] = {}
    for requirement in report.get("requirements", []):
        for test in requirement.get("tests", []):
            tests[test["test"]] = max(tests.get(test["test"], 0.0), test["duration"])
    slowest = sorted(tests.items(), key=lambda item: item[1], reverse=True)[:n]
    return [{"test": name, "seconds": seconds} for name, seconds in slowest]


def clients_env(first: Client, second: Client) -> dict[str, str]:
    return _env(
        DEVDRAFT_API_KEY=first.key,
        DEVDRAFT_SECRET=first.secret,
        DEVDRAFT_SECOND_API_KEY=second.key,
        DEVDRAFT_SECOND_SECRET=second.secret,
    )


def run_suite(
    base_url: str, env: dict[str, str], *args: str, timeout: float = SUITE_TIMEOUT_SECONDS
) -> tuple[float, int, dict[str, Any]]:
    """One `python -m conformance` run against `base_url`: wall seconds, exit code, report."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "conformance", "--base-url", base_url, *args]
        command += ["--report-dir", scratch]
        began = time.perf_counter()
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - began
        path = Path(scratch) / "conformance.json"
        if not path.exists():
            raise BenchError(
                f"the suite exited {done.returncode} without {path.name}: {done.stderr[-800:]}"
            )
        return wall, done.returncode, json.loads(path.read_text())


def suite_cost(
    profile: str, replay_delay: float, plain_count: int, plain_seconds: float
) -> dict[str, Any]:
    """Wall time and requests of one suite run, beside a plain loop on the same server."""
    first, second = Client.fresh(), Client.fresh()
    with reference(first, second) as server:
        wall, code, report = run_suite(
            server.base_url,
            clients_env(first, second),
            *("--profile", profile, "--replay-delay", f"{replay_delay:g}"),
        )
        plain = plain_loop(server.base_url, first, plain_count, plain_seconds)
    requests_made = int(report["requests"])
    duration = float(report["duration"])
    suite_ms = 1000 * duration / requests_made if requests_made else 0.0
    return {
        "profile": profile,
        "replay_delay": replay_delay,
        "exit_code": code,
        "wall_seconds": round(wall, 2),
        "run_seconds": round(duration, 2),
        "startup_seconds": round(wall - duration, 2),
        "requests": requests_made,
        "per_second": round(requests_made / duration, 1) if duration else None,
        "ms_per_request": round(suite_ms, 3),
        "server_share_seconds": round(requests_made * plain["ms_per_request"] / 1000, 2),
        "plain": plain,
        "ratio_to_plain": _ratio(suite_ms, plain["ms_per_request"]),
        "slowest_tests": _slowest_tests(report, 5),
    }


def _children_cpu() -> float:
    """User and system CPU seconds of this process's children that have ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def far_targets(
    latencies: list[float], workers: list[int], profile: str = "fast"
) -> dict[str, Any]:
    """The suite against the reference server made `latency` seconds away (--latency), with
    each count of --workers: wall time beside the floor of requests x latency in series and
    shared by the parts, and the CPU seconds of the suite's processes."""
    runs = []
    for latency in latencies:
        first, second = Client.fresh(), Client.fresh()
        with reference(first, second, f"--latency={latency:g}") as server:
            for count in workers:
                before = _children_cpu()
                wall, code, report = run_suite(
                    server.base_url,
                    clients_env(first, second),
                    *("--profile", profile, "--replay-delay", "0", "--workers", str(count)),
                )
                cpu = _children_cpu() - before  # the suite's processes (the server runs on)
                runs.append(
                    {
                        "latency": latency,
                        "workers": count,
                        "exit_code": code,
                        "line": report["summary"]["line"],
                        "wall_seconds": round(wall, 2),
                        "requests": int(report["requests"]),
                        "serial_floor_seconds": round(int(report["requests"]) * latency, 1),
                        "parts_floor_seconds": round(int(report["requests"]) * latency / count, 1),
                        "cpu_seconds": round(cpu, 1),
                    }
                )
    return {"profile": profile, "runs": runs}


def memory(keys: int, threads: int, seconds: float) -> dict[str, Any]:
    """RSS of the (in-memory) reference server before and after ``keys`` distinct-key creates.

    "Before" is read after a warm-up of a few hundred creates, so one-time allocations (imports,
    caches, the first SQLite pages) do not count as per-key cost.
    """
    client = Client.fresh()
    with reference(client) as server:
        warm = load(server, client, "create", threads, seconds, count=300)
        before = rss_mb(server.pid)
        created = load(server, client, "create", threads, seconds, count=keys)
        after = rss_mb(server.pid)
    made = created["requests"] + created["warmup_requests"]
    return {
        "warmup_keys": warm["requests"] + warm["warmup_requests"],
        "keys": made,
        "seconds": created["seconds"],
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "mb_per_1000_keys": round((after - before) * 1000 / made, 3) if made else None,
    }


FLOOD_RATE_LIMIT = 100


def flood_memory(count: int) -> dict[str, Any]:
    """``count`` distinct-key creates from one client, as fast as they go, against a server with
    ``--rate-limit 100``: how many got through (the limit must hold), and its RSS before/after."""
    from .flood import flood

    client = Client.fresh()
    with reference(client, "--rate-limit", str(FLOOD_RATE_LIMIT)) as server:
        before = rss_mb(server.pid)
        try:
            result = flood(server.base_url, client.key, client.secret, count)
        except ConnectionError as error:
            raise BenchError(f"key flood: {error}") from None
        after = rss_mb(server.pid)
    allowed = FLOOD_RATE_LIMIT * (1 + result["seconds"])
    return {
        **result,
        "rate_limit": FLOOD_RATE_LIMIT,
        "allowed_at_most": int(allowed),
        "limit_held": result["statuses"].get("201", 0) <= allowed,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
    }
