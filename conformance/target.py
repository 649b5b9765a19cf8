"""One Target: where the suite sends requests, as whom, and within which budgets.

Built once per run from the options (command line first, then environment variables, then
defaults). Every configuration mistake raises ConformanceConfigError naming the option and the
fix; nothing downstream re-reads options.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.options import OPTIONS, WORKERS_AUTO, Option
from conformance.profiles import PROFILES
from conformance.requirements import BY_ID, CATALOG
from conformance.shard import STATE_MACHINE, Lane, Shard, lane_of, owned

__all__ = [
    "FAR_WORKERS",
    "RATE_SLOTS_ENV",
    "ConformanceConfigError",
    "Credentials",
    "Target",
    "build_target",
    "check_baseline",
    "default_label",
    "run_id_for",
    "workers_for",
]

RATE_SLOTS_ENV = "CONFORMANCE_PART_RATE_SLOTS"
"""Set by a `--workers` run in its parts' environment: the file of the --rate slots they share
(transport.rate_slots). Read only by a run that is a part (--shard)."""


class ConformanceConfigError(Exception):
    """A usage or configuration error; the message names the culprit and the fix."""


@dataclass(frozen=True)
class Credentials:
    key: str
    secret: str

    def __repr__(self) -> str:
        return "Credentials(key=[redacted], secret=[redacted])"


@dataclass(frozen=True)
class Target:
    base_url: str
    path_prefix: str
    credentials: Credentials
    second_credentials: Credentials | None
    key_header: str
    secret_header: str
    profile: str
    seed: int
    strict: bool
    conflict_status: int
    report_dir: Path
    key_ttl: float | None
    replay_delay: float
    concurrency: int
    max_requests: int | None
    timeout: float
    max_rate_limit_wait: float
    ca_bundle: Path | None
    only: frozenset[str] | None
    run_id: str = ""
    """Tags what the run leaves on the target (every description carries it); made from the
    seed, so a rerun with `--seed` sends the very same requests."""
    baseline: Path | None = None
    """An earlier conformance.json to compare verdicts with (--baseline)."""
    require_all: bool = False
    """--require-all: a MUST the run could not judge makes it incomplete (exit 3)."""
    rate: float | None = None
    """--rate: requests per second the run never exceeds (None: no cap)."""
    rerun: str = ""
    """How to run this target again from a shell (the console prints it under each failure)."""
    shard: Shard | None = None
    """--shard K/N: the run makes only this part of the selected requirements."""
    workers: int = 1
    """--workers N: processes that make the run's parts side by side (conformance.workers)."""
    label: str = ""
    """--label: how the run is named in its reports and in a comparison; the host by default."""
    rate_slots: Path | None = None
    """The --rate cap's slots shared by the parts of a `--workers` run (transport.rate_slots),
    the file their parent names in their environment; None for a run of its own."""

    @property
    def api_root(self) -> str:
        """Base URL joined with the path prefix, without a trailing slash."""
        return self.base_url.rstrip("/") + self.path_prefix

    def url(self, path: str) -> str:
        return self.api_root + path

    @property
    def secret_values(self) -> tuple[str, ...]:
        values = [self.credentials.key, self.credentials.secret]
        if self.second_credentials:
            values += [self.second_credentials.key, self.second_credentials.secret]
        return tuple(v for v in values if v)

    def __post_init__(self) -> None:
        if not self.run_id:
            object.__setattr__(self, "run_id", run_id_for(self.seed))

    def selects(self, requirement_id: str) -> bool:
        """Whether the run's selection (--only) has the requirement, whichever shard runs it."""
        return self.only is None or requirement_id in self.only

    def runs(self, requirement_id: str) -> bool:
        """Whether this run makes the requirement's tests: selected, and owned by its shard."""
        return self.selects(requirement_id) and (
            self.shard is None or requirement_id in self._owned
        )

    @cached_property
    def _owned(self) -> frozenset[str]:
        assert self.shard is not None
        selected = [r.id for r in CATALOG if self.selects(r.id)]
        return frozenset(owned(self.shard, selected, self._lanes))

    @property
    def _lanes(self) -> dict[str, int]:
        """How many lanes each laned requirement may take (shard.LANED): the state machine,
        one a round of the profile."""
        return {STATE_MACHINE: len(PROFILES[self.profile].stateful_rounds)}

    def lane(self, requirement_id: str) -> Lane | None:
        """The share of a laned requirement's work this run makes (all of it when the run is
        not in parts); None when it makes none."""
        return lane_of(self.shard, self._lanes.get(requirement_id, 1))


def run_id_for(seed: int) -> str:
    return f"run-{seed:010d}"


def _raw(option: Option, given: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
    value = given.get(option.dest)
    if value is None and option.env:
        value = environ.get(option.env) or None
    if value is None:
        return option.default
    if isinstance(value, str) and option.type is not str:
        try:
            return option.type(value)
        except ValueError as error:
            source = option.name if given.get(option.dest) is not None else option.env
            raise ConformanceConfigError(f"{source}: {error}") from None
    return value


_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def _check_base_url(url: str | None) -> str:
    if not url:
        raise ConformanceConfigError("--base-url is missing; pass it or set CONFORMANCE_BASE_URL")
    if _USERINFO.match(url):
        # Checked before anything quotes the URL back: the password must reach no output.
        raise ConformanceConfigError(
            "--base-url must not carry credentials (user:password@host): they would show in "
            "every log and report; drop them and pass the client's key and secret as "
            "DEVDRAFT_API_KEY / DEVDRAFT_SECRET"
        )
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ConformanceConfigError(
            f"--base-url {url!r} is not a valid URL ({error}); expected e.g. https://host[/prefix]"
        ) from None
    try:
        port = parts.port
    except ValueError:
        raise ConformanceConfigError(
            f"--base-url {url!r} has a bad port; expected host:PORT with PORT a number from 1 "
            "to 65535"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConformanceConfigError(
            f"--base-url {url!r} is not an http(s) URL; expected e.g. https://host[/prefix]"
        )
    if port == 0:
        raise ConformanceConfigError(f"--base-url {url!r} has port 0; expected 1 to 65535")
    if not _valid_host(parts.hostname, bracketed="[" in parts.netloc):
        raise ConformanceConfigError(
            f"--base-url {url!r}: {parts.hostname!r} is not a host name or IP address"
        )
    if parts.query or parts.fragment:
        raise ConformanceConfigError(f"--base-url {url!r} must not carry a query or fragment")
    return url.rstrip("/")


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.match(label) for label in labels)


def _check_only(text: str | None) -> frozenset[str] | None:
    if not text:
        return None
    ids = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = sorted(ids - set(BY_ID))
    if unknown:
        raise ConformanceConfigError(
            f"--only names unknown requirement ids {', '.join(unknown)}; run with --list to see "
            "the catalog"
        )
    return ids


FAR_WORKERS = 4
"""--workers auto against a target that is not on this machine. Far away, a run is the time
its requests take in series: with 4 parts the fast profile took 22 s against a target 30 ms
away instead of 76 s, and 55 s instead of 208 s at 100 ms; 8 parts went faster still (14 s and
30 s) but drew more than twice the 429s of 4 from a 50 requests/s limiter (10.0% against
4.3%), since each part learns the limit on its own (conformance.transport.rate_slots says why
they do). On this machine, parts gain little and cost CPU: the default profile took 13.6 s
with 2 parts against 16.0 s serially (README, "Many targets, many machines")."""


def workers_for(given: int | str, base_url: str, shard: Shard | None) -> int:
    """The run's --workers: as given, or for `auto` 1 against a loopback address or when the
    run is a part already (--shard), FAR_WORKERS otherwise."""
    if given != WORKERS_AUTO:
        return int(given)
    return 1 if shard is not None or _is_loopback(base_url) else FAR_WORKERS


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").split("%", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_label(url: str) -> str:
    """The label of a run without --label: the target's host, with its port if it has one."""
    return urlsplit(url).netloc


def _check_label(text: str | None) -> str:
    label = (text or "").strip()
    if any(not character.isprintable() for character in label):
        raise ConformanceConfigError(
            f"--label {label!r} has a control character; give a one-line name"
        )
    return label


def check_baseline(path: str | None) -> Path | None:
    """The --baseline file, once it is known to be a readable conformance.json."""
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ConformanceConfigError(
            f"--baseline {path!r} is not a readable conformance.json: {error}"
        ) from None
    if isinstance(data, dict) and data.get("interrupted"):
        raise ConformanceConfigError(
            f"--baseline {path!r} is the report of an interrupted run, which judged only part "
            "of the catalog; pass the conformance.json of a complete run"
        )
    entries = data.get("requirements") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("verdict"), str)
        for e in entries
    ):
        raise ConformanceConfigError(
            f"--baseline {path!r} has no 'requirements' list of ids and verdicts; pass a "
            "conformance.json written by an earlier run"
        )
    return Path(path)


def build_target(given: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Target:
    """The Target for these option values (keyed by Option.dest), or ConformanceConfigError."""
    env = os.environ if environ is None else environ
    values = {option.dest: _raw(option, given, env) for option in OPTIONS}

    def value(name: str) -> Any:
        return values["conformance_" + name]

    base_url = _check_base_url(value("base_url"))
    key, secret = value("client_key"), value("client_secret")
    if not key or not secret:
        raise ConformanceConfigError(
            "client credentials are missing; pass --client-key and --client-secret or set "
            "DEVDRAFT_API_KEY and DEVDRAFT_SECRET"
        )
    second_key, second_secret = value("second_client_key"), value("second_client_secret")
    if bool(second_key) != bool(second_secret):
        raise ConformanceConfigError(
            "a second client needs both --second-client-key and --second-client-secret"
        )
    profile = value("profile")
    if profile not in PROFILES:
        raise ConformanceConfigError(f"--profile {profile!r} is not one of {', '.join(PROFILES)}")
    if value("conflict_status") not in (409, 422):
        raise ConformanceConfigError("--conflict-status must be 409 or 422")
    prefix = "/" + str(value("path_prefix")).strip("/") if value("path_prefix").strip("/") else ""
    ca_bundle = value("ca_bundle")
    if ca_bundle and not Path(ca_bundle).is_file():
        raise ConformanceConfigError(f"--ca-bundle {ca_bundle!r} is not a readable file")
    seed = value("seed")
    return Target(
        base_url=base_url,
        path_prefix=prefix,
        credentials=Credentials(key, secret),
        second_credentials=Credentials(second_key, second_secret) if second_key else None,
        key_header=value("key_header"),
        secret_header=value("secret_header"),
        profile=profile,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        strict=bool(value("strict")),
        conflict_status=value("conflict_status"),
        report_dir=Path(value("report_dir")),
        key_ttl=value("key_ttl"),
        replay_delay=value("replay_delay"),
        concurrency=value("concurrency"),
        max_requests=value("max_requests"),
        timeout=value("timeout"),
        max_rate_limit_wait=value("max_rate_limit_wait"),
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        only=_check_only(value("only")),
        baseline=check_baseline(value("baseline")),
        require_all=bool(value("require_all")),
        shard=value("shard"),
        workers=workers_for(value("workers"), base_url, value("shard")),
        rate=value("rate"),
        label=_check_label(value("label")) or default_label(base_url),
        rate_slots=Path(env[RATE_SLOTS_ENV])
        if value("shard") and env.get(RATE_SLOTS_ENV)
        else None,
    )
