"""The suite against rate-limited reference servers: how long a run takes, how many of its
requests were answered 429 and how long it only waited (the figures the pacer is for).

Two limiters: the reference server's token bucket (`--rate-limit 50`, per client), which the
pacer can keep under, and a count-based one (a variant answering every 7th request 429 with
Retry-After: 1), which no pacing avoids: serially, the run waits about a second per 429, and
four workers wait side by side.
"""

from __future__ import annotations

from typing import Any

from .measure import clients_env, run_suite
from .servers import Client, reference

RUN_TIMEOUT_SECONDS = 900.0


def _timed_run(profile: str, server_options: list[str], suite_options: list[str]) -> dict[str, Any]:
    first, second = Client.fresh(), Client.fresh()
    with reference(first, second, *server_options) as server:
        wall, code, report = run_suite(
            server.base_url,
            clients_env(first, second),
            *("--profile", profile, "--seed", "1", *suite_options),
            timeout=RUN_TIMEOUT_SECONDS,
        )
    limits = report["rate_limits"]
    requests_made = int(report["requests"])
    return {
        "server": " ".join(server_options),
        "suite": " ".join(suite_options),
        "exit_code": code,
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
        "count_based": _timed_run(profile, ["--variant", count_variant], []),
        "count_based_workers": _timed_run(
            profile, ["--variant", count_variant], ["--workers", "4"]
        ),
    }


def lines(p: dict[str, Any]) -> list[str]:
    out = ["", f"5. Rate-limited targets (profile {p['profile']}, seed 1)"]
    runs = (
        ("token bucket", p["token_bucket"]),
        ("count-based", p["count_based"]),
        ("count-based, 4 workers", p["count_based_workers"]),
    )
    for label, run in runs:
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
