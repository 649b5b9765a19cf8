"""What a reproduction runs: fresh keys, requests, waits, and the suite's own check at the end.

Standard library only. The report writes a copy of this module beside the reproductions
(`repro/_support/devdraft_repro.py`, with the checks as `devdraft_checks`): the pytest module
calls it directly, the shell script through `devdraft_sh.py` (see `runtime_sh`).
"""

from __future__ import annotations

import os
import random
import string
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    import http.client

    from conformance import checks
else:
    try:
        import devdraft_checks as checks  # the copy beside a written reproduction
    except ImportError:
        from conformance import checks  # inside the suite's own tests

__all__ = [
    "CannotFollow",
    "Reply",
    "Reproduction",
    "Round",
    "Violation",
    "as_raced",
    "env",
    "fresh_keys",
    "identifier",
    "judge",
    "needed",
    "reproduced",
    "retry_after",
    "send",
]

Violation = checks.Violation
"""What a failing check raises: the reproduction's verdict."""

TIMEOUT = 30.0
"""Seconds one request may take."""
MAX_429 = 5
"""Attempts of one request answered 429, as the suite makes them."""
MAX_SINGLE_WAIT = 10.0
"""The longest wait for one 429, whatever Retry-After says."""
_random = random.SystemRandom()
_HEX, _OTHER = "abcdef", "ghijklmnopqrstuvwxyz"


class CannotFollow(RuntimeError):
    """The sequence could not be followed (no answer, or no id where a later request needs
    one): the reproduction can say nothing about the check."""


def fresh_keys(originals: list[str]) -> list[str]:
    """The run's keys under one random bijection of letters (hex letters among hex letters,
    the others among the others, case kept) and of digits: equal, same length, shared
    prefix, case-swapped and one-character-off keys stay so, and none is one of the run's."""
    for _ in range(100):
        table = _bijection()
        made = ["".join(table.get(c, c) for c in key) for key in originals]
        if not set(made) & set(originals):
            return made
    raise CannotFollow("no fresh keys could be made from the run's keys")


def _bijection() -> dict[str, str]:
    table: dict[str, str] = {}
    for alphabet in (_HEX, _OTHER, string.digits):
        image = _random.sample(alphabet, len(alphabet))
        table.update(zip(alphabet, image, strict=True))
    for lower in _HEX + _OTHER:
        table[lower.upper()] = table[lower].upper()
    return table


def env(name: str) -> str:
    """A secret from the environment (never written into a reproduction)."""
    value = os.environ.get(name)
    if value is None:
        raise CannotFollow(f"set {name} in the environment first")
    return value


class Reply:
    """What one request got: its final answer after 429 retries, and the first 429 if any."""

    def __init__(
        self, status: int, headers: list[tuple[str, str]], body: bytes, first_429: Reply | None
    ) -> None:
        self.status, self.headers, self.body, self.first_429 = status, headers, body, first_429

    def answer(self, position: int, the_429: bool = False) -> checks.Answer:
        reply = self.first_429 if the_429 and self.first_429 is not None else self
        headers = dict(reply.headers)
        content_type = next((v for k, v in reply.headers if k.lower() == "content-type"), None)
        text = reply.body.decode("utf-8", "replace")
        return checks.Answer(reply.status, content_type, text, headers, position)


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    import http.client  # here, not at the top: the shell helper starts often and never sends

    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return kind(parts.netloc, timeout=TIMEOUT), target or "/"


def _once(
    connection: http.client.HTTPConnection,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> Reply:
    connection.putrequest(method, target, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value)
    if body is not None and not any(name.lower() == "content-length" for name, _ in headers):
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    answer = connection.getresponse()
    return Reply(answer.status, answer.getheaders(), answer.read(), None)


def retry_after(headers: list[tuple[str, str]], attempt: int) -> float:
    """Retry-After in seconds (or an HTTP date), else a doubling backoff; at most 10 s."""
    value = next((v for k, v in headers if k.lower() == "retry-after"), "").strip()
    if value.isdigit():
        return min(float(value), MAX_SINGLE_WAIT)
    import email.utils  # here, not at the top: an HTTP date is rare

    try:
        when = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        when = 0.25 * 2**attempt
    return min(max(when, 0.0), MAX_SINGLE_WAIT)


def send(
    url: str,
    method: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    ready: threading.Barrier | None = None,
) -> Reply:
    """One request, exactly as written (repeated header lines too); a 429 is waited out and
    the request sent again, up to 5 times, as the suite does. With `ready`, the connection is
    opened first and the request leaves when every thread of the barrier is ready."""
    import http.client  # see _connection

    first_429: Reply | None = None
    for attempt in range(1, MAX_429 + 1):
        connection, target = _connection(url)
        try:
            connection.connect()
            if ready is not None and attempt == 1:
                ready.wait(timeout=TIMEOUT)
            reply = _once(connection, method, target, headers, body)
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            if ready is not None:
                ready.abort()  # the others need not wait for this one
            raise CannotFollow(
                f"{method} {url}: no answer ({error or type(error).__name__})"
            ) from None
        finally:
            connection.close()
        if reply.status != 429:
            break
        first_429 = first_429 or reply
        if attempt < MAX_429:
            time.sleep(retry_after(reply.headers, attempt))
    reply.first_429 = first_429
    return reply


def _show(position: int, method: str, path: str, reply: Reply) -> None:
    text = reply.body.decode("utf-8", "replace").strip()
    print(f"[{position}] {method} {path} -> {reply.status} {text[:300]}", flush=True)


def judge(spec: dict[str, Any], answers: dict[int, Reply], keys: list[str], label: str) -> None:
    """Apply the check named in `spec` to the answers at its positions, with its parameters
    (keys and ids of this round in place of the run's): raises the check's Violation when the
    failure shows again, CannotFollow when an answer it needs is missing."""
    name = spec.get("check")
    if name is None:
        raise CannotFollow(f"nothing to judge: {spec.get('why', 'the failure was not a check')}")
    the_429 = set(spec.get("first_429", []))
    missing = [p for p in spec["answers"] if p not in answers]
    if missing:
        raise CannotFollow(f"no answer to request {missing[0]}")
    judged = [answers[p].answer(p, p in the_429) for p in as_raced(spec, answers)]
    params = _resolve(spec.get("params", {}), answers, keys)
    checks.registry.apply(name, judged, params, spec["requirement"])
    print(f"{label}: the check {name} passes ({spec['requirement']})", flush=True)


def as_raced(spec: dict[str, Any], answers: dict[int, Reply]) -> list[int]:
    """The positions to judge. One sent in a burst whose race went otherwise this round (another
    request of the burst got the status it got in the run, and it did not) gives way to that
    request: a check of the race's winner judges this round's winner."""
    chosen = list(spec["answers"])
    for position, status, burst in spec.get("races", []):
        if position not in answers or answers[position].status == status:
            continue
        for other in burst:
            if other not in chosen and other in answers and answers[other].status == status:
                chosen[chosen.index(position)] = other
                break
    return chosen


def needed(spec: dict[str, Any]) -> list[int]:
    """The positions whose answers `judge` may read: the judged ones and their bursts."""
    found = list(spec.get("answers", []))
    for _, _, burst in spec.get("races", []):
        found.extend(p for p in burst if p not in found)
    return found


def _resolve(value: Any, answers: dict[int, Reply], keys: list[str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$key"}:
            return keys[value["$key"] - 1]
        if set(value) == {"$id"}:
            return identifier(answers, *value["$id"])
        return {k: _resolve(v, answers, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, answers, keys) for v in value]
    return value


def identifier(answers: dict[int, Reply], position: int, field: str, group: list[int]) -> Any:
    """The id an answer returned (or, in a burst, the first answer of the burst that has one)."""
    for candidate in [position, *[p for p in group if p != position]]:
        if candidate in answers:
            found = answers[candidate].answer(candidate).get(field)
            if isinstance(found, str | int) and not isinstance(found, bool):
                return found
    raise CannotFollow(f"answer {position} carries no {field!r} for a later request")


class Round:
    """One round of a reproduction: this round's keys, answers by position, and the steps."""

    def __init__(self, api: str, originals: list[str], label: str) -> None:
        self.api, self.label = api, label
        self.keys = fresh_keys(originals)
        self.answers: dict[int, Reply] = {}

    def key(self, number: int) -> str:
        return self.keys[number - 1]

    def send(
        self,
        position: int,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: str | None = None,
    ) -> None:
        data = body.encode("utf-8") if body is not None else None
        self.answers[position] = reply = send(self.api + path, method, headers, data)
        _show(position, method, path, reply)

    def together(self, *requests: tuple[int, str, str, list[tuple[str, str]], str | None]) -> None:
        """Send the requests at the same moment: one thread each, released by one barrier."""
        ready = threading.Barrier(len(requests))
        replies: dict[int, Reply | CannotFollow] = {}

        def run(position: int, method: str, path: str, headers: Any, body: str | None) -> None:
            data = body.encode("utf-8") if body is not None else None
            try:
                replies[position] = send(self.api + path, method, headers, data, ready)
            except CannotFollow as error:
                replies[position] = error

        threads = [threading.Thread(target=run, args=request) for request in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT * MAX_429)
        for position, method, path, _, _ in requests:
            reply = replies.get(position)
            if not isinstance(reply, Reply):
                raise reply or CannotFollow(f"request {position} did not finish")
            self.answers[position] = reply
            _show(position, method, path, reply)

    def wait(self, seconds: float) -> None:
        """Wait where the run waited (elapsed time can be what the target gets wrong)."""
        print(f"waiting {seconds:g} s, as the run did", flush=True)
        time.sleep(seconds)

    def id(self, position: int, field: str = "id", group: tuple[int, ...] = ()) -> str:
        """The id an earlier answer returned, URL-quoted for a path."""
        return quote(str(identifier(self.answers, position, field, list(group))), safe="")

    def check(self, spec: dict[str, Any]) -> None:
        """The suite's check on this round's answers: an AssertionError when it fails."""
        try:
            judge(spec, self.answers, self.keys, self.label)
        except checks.Violation as violation:
            raise AssertionError(reproduced(violation)) from None


class Reproduction:
    """The pytest module's entry: the target (environment first), the run's keys, the rounds."""

    def __init__(self, *, base_url: str, prefix: str, keys: list[str], rounds: int) -> None:
        base = os.environ.get("CONFORMANCE_BASE_URL", base_url).rstrip("/")
        self.api = base + os.environ.get("CONFORMANCE_PATH_PREFIX", prefix)
        self.originals, self.count = keys, rounds

    def rounds(self) -> Iterator[Round]:
        """Up to `rounds` rounds with fresh keys each; the first failing check ends them."""
        for number in range(1, self.count + 1):
            yield Round(self.api, self.originals, f"round {number} of {self.count}")


def reproduced(violation: checks.Violation) -> str:
    return (
        f"FAILURE REPRODUCED: {violation.requirement} (check {violation.check})\n"
        f"{violation.message}"
    )
