"""The suite against rate-limited reference servers: how long a run takes, how many of its
requests were answered 429 and how long it only waited (the figures the pacer is for).

Two limiters: the reference server's token bucket (`--rate-limit 50`, per client), which the
pacer can keep under, and a count-based one (a variant answering every 7th request 429 with
Retry-After: 1), which no pacing avoids: serially, the run waits about a second per 429.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .measure import BenchError, _env
from .servers import Client, reference

RUN_TIMEOUT_SECONDS = 900.0
COUNT_BASED_WAIT = "600"
"""--max-rate-limit-wait for the count-based limiter: its waits exceed the default 60 s."""


def _timed_run(profile: str, server_options: list[str], suite_options: list[str]) -> dict[str, Any]:
    first, second = Client.fresh(), Client.fresh()
    env = _env(
        DEVDRAFT_API_KEY=first.key,
        DEVDRAFT_SECRET=first.secret,
        DEVDRAFT_SECOND_API_KEY=second.key,
        DEVDRAFT_SECOND_SECRET=second.secret,
    )
    with reference(first, second, *server_options) as server, tempfile.TemporaryDirectory() as d:
        command = [sys.executable, "-m", "conformance", "--base-url", server.base_url]
        command += ["--profile", profile, "--seed", "1", "--report-dir", d, *suite_options]
        began = time.perf_counter()
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - began
        path = Path(d) / "conformance.json"
        if not path.exists():
            raise BenchError(
                f"the suite exited {done.returncode} without {path.name}: {done.stderr[-800:]}"
            )
        report = json.loads(path.read_text())
    limits = report["rate_limits"]
    requests_made = int(report["requests"])
    return {
        "server": " ".join(server_options),
        "suite": " ".join(suite_options),
        "exit_code": done.returncode,
        "closing_line": report["summary"]["line"],
        "wall_seconds": round(wall, 2),
        "run_seconds": report["duration"],
        "requests": requests_made,
        "answers_429": limits["answers_429"],
        "share_429": round(limits["answers_429"] / requests_made, 4) if requests_made else None,
        "seconds_waited": limits["seconds_waited"],
    }


def rate_limited_runs(profile: str, count_variant: str) -> dict[str, Any]:
    return {
        "profile": profile,
        "token_bucket": _timed_run(profile, ["--rate-limit", "50"], []),
        "count_based": _timed_run(
            profile, ["--variant", count_variant], ["--max-rate-limit-wait", COUNT_BASED_WAIT]
        ),
    }


def lines(p: dict[str, Any]) -> list[str]:
    out = ["", f"5. Rate-limited targets (profile {p['profile']}, seed 1, serial)"]
    for label, run in (("token bucket", p["token_bucket"]), ("count-based", p["count_based"])):
        options = f"server {run['server']}" + (f"; suite {run['suite']}" if run["suite"] else "")
        share = 100 * (run["share_429"] or 0.0)
        out += [
            f"   {label} ({options}): exit {run['exit_code']}",
            f"     {run['closing_line'][:100]}",
            f"     {run['run_seconds']:.1f} s run ({run['wall_seconds']:.1f} s wall), "
            f"{run['requests']} requests, {run['answers_429']} answered 429 ({share:.1f}%), "
            f"{run['seconds_waited']:.1f} s waited",
        ]
    return out
