"""The suite's options, defined once for both front ends: the pytest plugin and the command.

Each option has a long dashed name, an optional environment-variable fallback and a default.
`plugin.py` registers them with pytest; `__main__.py` builds its argparse parser from the same
table and forwards what the user gave to pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from conformance.profiles import DEFAULT, PROFILES
from conformance.shard import parse_shard

__all__ = ["BY_DEST", "COMMAND_ONLY", "OPTIONS", "Option", "register"]


@dataclass(frozen=True)
class Option:
    name: str
    help: str
    env: str | None = None
    default: Any = None
    type: Callable[[str], Any] = str
    flag: bool = False
    secret: bool = False
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return "conformance_" + self.name.lstrip("-").replace("-", "_")

    @property
    def help_text(self) -> str:
        parts = [self.help]
        if self.env:
            parts.append(f"env {self.env}")
        if self.default is not None and not self.flag and not self.secret:
            parts.append(f"default {self.default}")
        return self.help if len(parts) == 1 else f"{parts[0]} ({'; '.join(parts[1:])})"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text} is not a positive integer")
    return value


WORKERS_AUTO = "auto"
"""--workers auto: a count the target's address chooses (conformance.target.workers_for)."""


def _workers(text: str) -> int | str:
    return WORKERS_AUTO if text.strip().lower() == WORKERS_AUTO else _positive_int(text)


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise ValueError(f"{text} is not a non-negative number")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(f"{text} is not a positive number")
    return value


OPTIONS: tuple[Option, ...] = (
    Option(
        "--base-url",
        "Base URL of the target, with its path prefix if any",
        env="CONFORMANCE_BASE_URL",
        metavar="URL",
    ),
    Option(
        "--client-key", "Client key sent in the key header", env="DEVDRAFT_API_KEY", secret=True
    ),
    Option(
        "--client-secret",
        "Client secret sent in the secret header",
        env="DEVDRAFT_SECRET",
        secret=True,
    ),
    Option(
        "--second-client-key",
        "A second client's key; enables AUTH-KEY-SCOPE",
        env="DEVDRAFT_SECOND_API_KEY",
        secret=True,
    ),
    Option(
        "--second-client-secret",
        "A second client's secret; enables AUTH-KEY-SCOPE",
        env="DEVDRAFT_SECOND_SECRET",
        secret=True,
    ),
    Option(
        "--key-header",
        "Name of the client key header",
        env="CONFORMANCE_KEY_HEADER",
        default="x-client-key",
    ),
    Option(
        "--secret-header",
        "Name of the client secret header",
        env="CONFORMANCE_SECRET_HEADER",
        default="x-client-secret",
    ),
    Option(
        "--path-prefix",
        "Path between the base URL and /test-payment",
        env="CONFORMANCE_PATH_PREFIX",
        default="/api/v0",
    ),
    Option(
        "--profile",
        f"How many examples each property tries: {', '.join(PROFILES)}",
        env="CONFORMANCE_PROFILE",
        default=DEFAULT,
    ),
    Option(
        "--seed",
        "Hypothesis seed, to rerun a run exactly (printed at the start of each run)",
        env="CONFORMANCE_SEED",
        type=int,
    ),
    Option("--strict", "Fail the run on SHOULD failures too", flag=True),
    Option(
        "--require-all",
        "Exit 3 when a MUST requirement could not be judged (e.g. no second client, no 429 seen)",
        flag=True,
    ),
    Option(
        "--conflict-status",
        "Status expected for a changed body under a used key: 409 or 422",
        env="CONFORMANCE_CONFLICT_STATUS",
        default=409,
        type=int,
    ),
    Option(
        "--report-dir",
        "Directory for conformance.html, conformance.json and junit.xml",
        env="CONFORMANCE_REPORT_DIR",
        default="reports",
    ),
    Option(
        "--key-ttl",
        "The target's key lifetime in seconds; enables KEY-EXPIRY",
        env="CONFORMANCE_KEY_TTL",
        type=_positive_float,
    ),
    Option(
        "--replay-delay",
        "Seconds REPLAY-DELAYED waits before replaying",
        env="CONFORMANCE_REPLAY_DELAY",
        default=3.0,
        type=_non_negative_float,
    ),
    Option(
        "--concurrency",
        "Simultaneous requests in the concurrency checks",
        env="CONFORMANCE_CONCURRENCY",
        default=8,
        type=_positive_int,
    ),
    Option(
        "--max-requests",
        "Request budget for the whole run; the run stops cleanly at it",
        env="CONFORMANCE_MAX_REQUESTS",
        type=_positive_int,
    ),
    Option(
        "--timeout",
        "Per-request timeout in seconds",
        env="CONFORMANCE_TIMEOUT",
        default=10.0,
        type=_positive_float,
    ),
    Option(
        "--max-rate-limit-wait",
        "Total seconds the run may spend only waiting on the target's rate limits (429s, pacing)",
        env="CONFORMANCE_MAX_RATE_LIMIT_WAIT",
        default=300.0,
        type=_non_negative_float,
    ),
    Option(
        "--rate",
        "Requests per second the run never exceeds, for shared targets (default: no cap)",
        env="CONFORMANCE_RATE",
        type=_positive_float,
        metavar="N",
    ),
    Option(
        "--ca-bundle",
        "CA bundle file for https targets with a private CA",
        env="CONFORMANCE_CA_BUNDLE",
        metavar="PATH",
    ),
    Option(
        "--baseline",
        "An earlier conformance.json; marks each requirement new failure, fixed or unchanged",
        env="CONFORMANCE_BASELINE",
        metavar="PATH",
    ),
    Option(
        "--only",
        "Comma-separated requirement ids to run",
        env="CONFORMANCE_ONLY",
        metavar="REQ-ID,...",
    ),
    Option(
        "--label",
        "How the run is named in reports and in `devdraft-conformance compare` (by default "
        "the target's host)",
        env="CONFORMANCE_LABEL",
        metavar="NAME",
    ),
    Option(
        "--shard",
        "Run the K-th of N parts of the requirements, for `devdraft-conformance merge`",
        env="CONFORMANCE_SHARD",
        type=parse_shard,
        metavar="K/N",
    ),
    Option(
        "--workers",
        "Processes that run parts of the requirements side by side against the target, "
        "merged into one report; auto: 1 against a loopback address, 4 against any other",
        env="CONFORMANCE_WORKERS",
        default=WORKERS_AUTO,
        type=_workers,
        metavar="N",
    ),
)
COMMAND_ONLY = frozenset({"--workers"})
"""Options of the command alone: a plain pytest run is one process."""

BY_DEST: dict[str, Option] = {option.dest: option for option in OPTIONS}


def register(add: Callable[..., Any], skip: Collection[str] = ()) -> None:
    """Declare every option through `add`: argparse's add_argument or pytest's addoption,
    which take the same arguments. Unset options stay None so environment variables and
    defaults apply later, in one place (target.build_target)."""
    for option in OPTIONS:
        if option.name in skip:
            continue
        if option.flag:
            add(
                option.name,
                action="store_true",
                default=None,
                dest=option.dest,
                help=option.help_text,
            )
        else:
            add(
                option.name,
                default=None,
                dest=option.dest,
                metavar=option.metavar or option.name[2:].upper().replace("-", "_"),
                help=option.help_text,
            )
