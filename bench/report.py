"""The benchmark's output: a table on stdout and the same figures in reports/bench.json."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import pacing

SUITE_TARGET_SECONDS = 60.0
OVERHEAD_TARGET_RATIO = 1.5


def machine() -> dict[str, Any]:
    """Cores and load: other work on the machine moves every figure here."""
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _load(m: dict[str, Any]) -> str:
    return " ".join(f"{x:.2f}" for x in m["load_average"])


def _machine_lines(figures: dict[str, Any]) -> list[str]:
    start, end = figures["machine"]["start"], figures["machine"]["end"]
    return [
        f"machine: {start['cores']} cores ({start['usable_cores']} usable), "
        f"python {start['python']}",
        f"load average (1/5/15 min): {_load(start)} at start, {_load(end)} at end"
        + (
            "  <- busy machine: figures are noisy"
            if start["load_average"][0] > (start["cores"] or 1)
            else ""
        ),
    ]


def _throughput_lines(t: dict[str, Any]) -> list[str]:
    rate, ratio, runs = t["per_second"], t["ratio_to_trivial"], t["runs"]
    names = {
        "creates": "creates (fresh keys, in memory)",
        "replays": "replays (same key and body)",
        "creates_db": "creates with --db (SQLite file)",
        "trivial": "trivial endpoint, same stack",
    }
    rows = [
        (
            label,
            rate[name],
            ratio.get(name, 1.0),
            runs[name]["server_cpu_share"],
            runs[name]["cpu_share"],
        )
        for name, label in names.items()
    ]
    lines = [
        "",
        f"1. Reference server throughput ({t['threads']} keep-alive connections, "
        f"{t['seconds']:g} s each, load generator in its own process)",
        f"   {'':<34}{'req/s':>10}{'x trivial':>12}{'server CPU':>12}{'loadgen CPU':>13}",
    ]
    lines += [
        f"   {name:<34}{_fmt(r):>10}{_fmt(x, 2):>12}{_fmt(100 * s, 0):>11}%{_fmt(100 * g, 0):>12}%"
        for name, r, x, s, g in rows
    ]
    lines += [
        "   (CPU: share of one core during the timed window. A server near 100% is the",
        "   bottleneck; one well below it waited on the load generator or on other work here.)",
    ]
    return lines


def _suite_lines(s: dict[str, Any]) -> list[str]:
    plain = s["plain"]
    wall_ok = s["wall_seconds"] + 3 < SUITE_TARGET_SECONDS
    ratio_ok = s["ratio_to_plain"] is not None and s["ratio_to_plain"] <= OVERHEAD_TARGET_RATIO
    lines = [
        "",
        f"2. Suite cost (profile {s['profile']}, --replay-delay {s['replay_delay']:g}; "
        f"the default 3 s delay would add 3 s; exit code {s['exit_code']})",
        f"   wall time {s['wall_seconds']:.1f} s = {s['run_seconds']:.1f} s run + "
        f"{s['startup_seconds']:.1f} s start-up/import/report   "
        f"target < {SUITE_TARGET_SECONDS:g} s: {'met' if wall_ok else 'MISSED'}",
        f"   suite: {s['requests']} requests, {_fmt(s['per_second'])} req/s, "
        f"{s['ms_per_request']:.2f} ms per request",
        f"   plain loop (one Session, sequential creates): {plain['requests']} requests, "
        f"{_fmt(plain['per_second'])} req/s, {plain['ms_per_request']:.2f} ms per request",
        f"   suite / plain per request: {_fmt(s['ratio_to_plain'], 2)}x   "
        f"target <= {OVERHEAD_TARGET_RATIO:g}x: {'met' if ratio_ok else 'MISSED'}",
        f"   of the {s['run_seconds']:.1f} s run, about {s['server_share_seconds']:.1f} s is "
        "what the same number of plain requests would take",
        "   slowest tests:",
    ]
    lines += [f"     {t['seconds']:6.2f} s  {t['test']}" for t in s["slowest_tests"]]
    return lines


def _memory_lines(m: dict[str, Any]) -> list[str]:
    return [
        "",
        f"3. Reference server memory (in memory, one client, {m['keys']} creates with "
        f"distinct keys after {m['warmup_keys']} warm-up creates)",
        f"   RSS before {m['rss_before_mb']:.1f} MB, after {m['rss_after_mb']:.1f} MB, "
        f"{_fmt(m['mb_per_1000_keys'], 3)} MB per 1000 keys",
    ]


def _flood_lines(f: dict[str, Any]) -> list[str]:
    return [
        "",
        f"4. Key flood: {f['requests']} distinct keys from one client in {f['seconds']:.1f} s "
        f"({f['per_second']:.0f}/s, as fast as this machine sends), --rate-limit {f['rate_limit']}",
        f"   statuses {f['statuses']}; at most {f['allowed_at_most']} allowed: "
        f"{'limit held' if f['limit_held'] else 'LIMIT EXCEEDED'}; "
        f"RSS {f['rss_before_mb']:.1f} MB -> {f['rss_after_mb']:.1f} MB",
    ]


def _far_lines(f: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"6. Far targets (profile {f['profile']}, the reference server with --latency, "
        "--replay-delay 0)",
        f"   {'latency':>9}{'workers':>9}{'wall s':>9}{'cpu s':>8}{'requests':>10}"
        f"{'req x latency s':>17}{'/ workers':>11}  verdict",
    ]
    lines += [
        f"   {1000 * r['latency']:>7.0f}ms{r['workers']:>9}{r['wall_seconds']:>9.1f}"
        f"{r.get('cpu_seconds', float('nan')):>8.1f}{r['requests']:>10}"
        f"{r['serial_floor_seconds']:>17.1f}{r.get('parts_floor_seconds', float('nan')):>11.1f}"
        f"  {r['line'].split(':')[0]}"
        for r in f["runs"]
    ]
    lines.append(
        "   (req x latency: the least one process sending in series can take; / workers: the "
        "least N parts\n    can, their waits overlapping; cpu s: the suite's processes, user "
        "+ system)"
    )
    return lines


def table(figures: dict[str, Any]) -> str:
    lines = ["Benchmarks (loopback 127.0.0.1; figures, not pass/fail)", *_machine_lines(figures)]
    if "throughput" in figures:
        lines += _throughput_lines(figures["throughput"])
    if "suite" in figures:
        lines += _suite_lines(figures["suite"])
    if "memory" in figures:
        lines += _memory_lines(figures["memory"])
    if "flood" in figures:
        lines += _flood_lines(figures["flood"])
    if "far" in figures:
        lines += _far_lines(figures["far"])
    if "rate_limits" in figures:
        lines += pacing.lines(figures["rate_limits"])
    return "\n".join(lines)


def write_json(figures: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path
