"""The checks of the state machine, as plain Python that a reproduction carries with it.

The state machine judges every response with an expression over `r` (the responses of the
example so far, by position) and the helpers below, e.g. `same(r[4], r[1])`. A reproduction
embeds this module's source unchanged and evaluates the failing expression again, so the
script and the pytest function judge exactly what the run judged. Standard library only: the
file also runs as `python3 check.py keys|id|check ...` from the shell reproduction.
"""

from __future__ import annotations

import json
import secrets
import string
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ALNUM = string.ascii_letters + string.digits


class Resp:
    """One response: status, media type, text and the parsed JSON body (None if not JSON)."""

    def __init__(self, status: int, content_type: str | None, text: str) -> None:
        self.status = status
        self.content_type = content_type or ""
        self.media = self.content_type.split(";")[0].strip().lower()
        self.text = text
        try:
            self.json: Any = json.loads(text)
        except ValueError:
            self.json = None

    def get(self, name: str) -> Any:
        return self.json.get(name) if isinstance(self.json, dict) else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper()


def same(again: Resp, first: Resp) -> bool:
    """The same status, media type and JSON body (every field) as the stored response."""
    return (
        again.status == first.status
        and again.media == first.media
        and again.json is not None
        and again.json == first.json
    )


def error_body(resp: Resp) -> bool:
    """{"statusCode": <the status>, "message": a string or a list of strings}."""
    body = resp.json
    if not isinstance(body, dict):
        return False
    message = body.get("message")
    return (
        type(body.get("statusCode")) is int
        and body["statusCode"] == resp.status
        and (
            isinstance(message, str)
            or (
                isinstance(message, list)
                and bool(message)
                and all(isinstance(m, str) for m in message)
            )
        )
    )


def payment(resp: Resp) -> bool:
    """A PaymentResponseDto: id, amount, currency, status, timestamp of the right types."""
    return (
        isinstance(resp.get("id"), str | int)
        and is_num(resp.get("amount"))
        and isinstance(resp.get("currency"), str)
        and isinstance(resp.get("status"), str)
        and is_time(resp.get("timestamp"))
    )


def refund(resp: Resp) -> bool:
    """A RefundResponseDto: id, paymentId, amount, status, timestamp of the right types."""
    return (
        isinstance(resp.get("id"), str | int)
        and isinstance(resp.get("paymentId"), str | int)
        and is_num(resp.get("amount"))
        and isinstance(resp.get("status"), str)
        and is_time(resp.get("timestamp"))
    )


def first_ok(*responses: Resp) -> Resp:
    """The first 2xx of simultaneous requests (the last response when none is 2xx)."""
    return next((x for x in responses if x.ok), responses[-1])


def ok_ids(*responses: Resp, field: str = "id") -> set[Any]:
    """The distinct values of `field` among the 2xx responses."""
    return {json.dumps(x.get(field)) for x in responses if x.ok}


def carries(resp: Resp, value: Any) -> bool:
    """Whether the body text carries `value` (an id) anywhere."""
    return value is not None and str(value) in resp.text


# -- keys ------------------------------------------------------------------------------------
def make_key(spec: str, made: dict[str, str]) -> str:
    """A fresh key from its spec: `fresh:LENGTH`, `uuid`, or `tweak:NAME` (that key with its
    last character changed, so the two share every character but one)."""
    kind, _, arg = spec.partition(":")
    if kind == "uuid":
        return str(uuid.uuid4())
    if kind == "fresh":
        return "".join(secrets.choice(ALNUM) for _ in range(int(arg)))
    if kind == "tweak":
        base = made[arg]
        taken = set(made.values())
        options = [base[:-1] + c for c in ALNUM if base[:-1] + c not in taken]
        return secrets.choice(options)
    raise ValueError(f"unknown key spec {spec!r}")


def make_keys(specs: list[tuple[str, str]]) -> dict[str, str]:
    made: dict[str, str] = {}
    for name, spec in specs:
        made[name] = make_key(spec, made)
    return made


# -- the shell reproduction's helper -----------------------------------------------------------
def load(out: Path, n: int) -> Resp:
    """Response n as the shell script saved it: `n.meta` (status, content type), `n.body`."""
    meta = (out / f"{n}.meta").read_text(encoding="utf-8").splitlines()
    text = (out / f"{n}.body").read_bytes().decode("utf-8", "replace")
    return Resp(int(meta[0]), meta[1] if len(meta) > 1 else "", text)


class Saved(dict[int, Resp]):
    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out

    def __missing__(self, n: int) -> Resp:
        self[n] = load(self.out, n)
        return self[n]


def evaluate(expression: str, r: dict[int, Resp]) -> Any:
    return eval(expression, {**globals(), "r": r})  # the suite's own expressions


def main(argv: list[str]) -> int:
    """`keys NAME=SPEC...` prints shell assignments; `id OUT EXPR` prints the id of a response,
    URL-quoted; `check OUT EXPR MESSAGE` exits 1 when the expression is false."""
    command, args = argv[0], argv[1:]
    if command == "keys":
        made = make_keys([tuple(a.split("=", 1)) for a in args])  # type: ignore[misc]
        print("\n".join(f"{name}={value}" for name, value in made.items()))
        return 0
    try:
        value = evaluate(args[1], Saved(Path(args[0])))
    except (OSError, ValueError, IndexError) as error:
        print(f"could not follow the sequence: {error}", file=sys.stderr)
        return 2
    if command == "id":
        found = value.get("id")
        if found is None:
            print(f"no id in the response: {value.text[:200]}", file=sys.stderr)
            return 2
        print(quote(str(found), safe=""))
        return 0
    if value:
        print(f"not reproduced: the target now passes the check {args[1]}")
        return 0
    print(f"FAILURE REPRODUCED: {args[2]}\n  check: {args[1]}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
