"""Minimal reproductions of a state-machine failure: a shell script of curl commands and a
standalone pytest module, both runnable against the same target.

The state machine logs every request as a `Call` (symbolic: keys by name, payment ids as
expressions over earlier responses) and its failing judgment as a `Check` (an expression over
the responses, see `conformance.repro_runtime`). Both reproductions make fresh keys when they
run, send the same requests in the same order (simultaneous ones together), and end by
evaluating the same expression: exit 1 / a failed assertion while the target still breaks the
requirement. Secrets are read from the environment when the reproduction runs; no value is
ever written.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from conformance import repro_runtime
from conformance.redact import Redactor

AUTH_PLACEHOLDERS = {
    "first": ("$DEVDRAFT_API_KEY", "$DEVDRAFT_SECRET"),
    "second": ("$DEVDRAFT_SECOND_API_KEY", "$DEVDRAFT_SECOND_SECRET"),
    "wrong-secret": ("$DEVDRAFT_API_KEY", "not-the-secret-0"),
    "wrong-key": ("not-a-client-key-0", "$DEVDRAFT_SECRET"),
    "no-secret": ("$DEVDRAFT_API_KEY", None),
    "no-key": (None, "$DEVDRAFT_SECRET"),
    "none": (None, None),
}
"""The two auth header values per way of authenticating; None leaves the header out."""


@dataclass
class Call:
    """One request, as the reproduction sends it again."""

    n: int
    step: int
    rule: str
    method: str
    path: str
    """Under the API root; `{P}` stands for the id in `payment` (an expression)."""
    payment: str | None = None
    auth: str = "first"
    key: str | None = None
    """A key by name (made fresh when the reproduction runs)."""
    key_literal: str | None = None
    """An invalid key, sent exactly (as the wire string: UTF-8 bytes read as latin-1)."""
    key_header: str = "Idempotency-Key"
    body: str | None = None
    content_type: str | None = None
    group: int = 0
    """Requests with the same non-zero group are sent simultaneously."""


@dataclass
class Pause:
    step: int
    seconds: float


@dataclass
class Check:
    expression: str
    requirement: str
    title: str


@dataclass
class Sequence:
    """What one example did: calls and pauses in order, and the keys it made."""

    items: list[Call | Pause] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)
    """(name, spec) in the order the keys were made; see repro_runtime.make_key."""

    @property
    def calls(self) -> list[Call]:
        return [item for item in self.items if isinstance(item, Call)]

    def ids_needed(self) -> list[str]:
        """Payment expressions later calls need, in first-use order."""
        found: list[str] = []
        for call in self.calls:
            if call.payment and call.payment not in found:
                found.append(call.payment)
        return found


@dataclass(frozen=True)
class Headers:
    key_header: str
    secret_header: str


def _groups(items: list[Call | Pause]) -> list[list[Call] | Pause]:
    """Consecutive calls of one group together; every other item on its own."""
    out: list[list[Call] | Pause] = []
    for item in items:
        if isinstance(item, Call) and item.group and out:
            last = out[-1]
            if isinstance(last, list) and last[0].group == item.group:
                last.append(item)
                continue
        out.append([item] if isinstance(item, Call) else item)
    return out


def _var(expression: str, ids: list[str]) -> str:
    return f"P{ids.index(expression) + 1}"


def _shell_value(value: str) -> str:
    """A header value for sh: `$DEVDRAFT_*` expands; anything unprintable goes through printf."""
    if value.startswith("$DEVDRAFT_"):
        return value
    if all(32 <= ord(c) < 127 for c in value):
        return (
            value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
        )
    octal = "".join(
        f"\\{b:03o}" if not (32 <= b < 127) or chr(b) in "%\\'" else chr(b)
        for b in value.encode("latin-1")
    )
    return f"$(printf '{octal}')"


def _curl(call: Call, headers: Headers, ids: list[str]) -> str:
    path = call.path.replace("{P}", "$" + _var(call.payment, ids)) if call.payment else call.path
    parts = ["call", str(call.n), call.method, f'"{path}"']
    key, secret = AUTH_PLACEHOLDERS[call.auth]
    if key is not None:
        parts += ["-H", f'"{headers.key_header}: {_shell_value(key)}"']
    if secret is not None:
        parts += ["-H", f'"{headers.secret_header}: {_shell_value(secret)}"']
    if call.key is not None:
        parts += ["-H", f'"{call.key_header}: ${call.key}"']
    elif call.key_literal is not None:
        if call.key_literal.strip() == "":
            parts += ["-H", shlex.quote(f"{call.key_header};")]  # curl's way to send it empty
        else:
            parts += ["-H", f'"{call.key_header}: {_shell_value(call.key_literal)}"']
    if call.content_type is not None:
        parts += ["-H", shlex.quote(f"Content-Type: {call.content_type}")]
    if call.body is not None:
        parts += ["--data-binary", shlex.quote(call.body)]
    return " ".join(parts)


SH_HELPERS = """\
call() {
  n=$1; method=$2; path=$3; shift 3
  curl -sS -X "$method" "$API$path" -H 'Accept: application/json' -o "$OUT/$n.body" \\
    -w '%{http_code}\\n%{content_type}\\n' "$@" > "$OUT/$n.meta" || exit 2
  echo "[$n] $method $path -> $(head -n 1 "$OUT/$n.meta")"
  cat "$OUT/$n.body"; echo
}
"""


def _base_url(api_root: str, prefix: str) -> str:
    """The target's base URL: the API root without the path prefix."""
    if prefix and api_root.endswith(prefix):
        return api_root[: len(api_root) - len(prefix)]
    return api_root


def shell_script(
    sequence: Sequence, check: Check, *, api_root: str, prefix: str, headers: Headers, path: str
) -> str:
    base = _base_url(api_root, prefix)
    ids = sequence.ids_needed()
    lines = [
        "#!/bin/sh",
        f"# {path}: the shortest failing sequence the state machine found "
        f"({len(sequence.calls)} requests).",
        f"# {check.title}",
        "# Needs curl and python3 (3.10+). Set DEVDRAFT_API_KEY and DEVDRAFT_SECRET (and",
        "# DEVDRAFT_SECOND_API_KEY / DEVDRAFT_SECOND_SECRET if a step acts as the second client);",
        "# CONFORMANCE_BASE_URL / CONFORMANCE_PATH_PREFIX point it at another target.",
        "# Exit 1: the failure shows again. Exit 0: the target now passes.",
        "# Exit 2: the sequence could not be followed.",
        "set -u",
        f'API="${{CONFORMANCE_BASE_URL:-{base}}}${{CONFORMANCE_PATH_PREFIX:-{prefix}}}"',
        "OUT=$(mktemp -d) || exit 2",
        "trap 'rm -rf \"$OUT\"' EXIT",
        "cat > \"$OUT/check.py\" <<'PYTHON_RUNTIME'",
        Path(repro_runtime.__file__).read_text(encoding="utf-8").rstrip("\n"),
        "PYTHON_RUNTIME",
        SH_HELPERS.rstrip("\n"),
    ]
    if sequence.keys:
        specs = " ".join(f"{name}={spec}" for name, spec in sequence.keys)
        lines.append(f'eval "$(python3 "$OUT/check.py" keys {specs})" || exit 2')
    defined: set[str] = set()
    for group in _groups(sequence.items):
        if isinstance(group, Pause):
            lines.append(f"sleep {group.seconds:g}  # step {group.step}: a short pause")
            continue
        lines.append(f"# step {group[0].step}: {group[0].rule}")
        if len(group) == 1:
            lines.append(_curl(group[0], headers, ids))
        else:
            lines += [_curl(call, headers, ids) + " &" for call in group]
            lines.append("wait")
        for expression in ids:
            if expression not in defined and _refers_only_to(
                expression, {c.n for c in _upto(sequence, group[-1])}
            ):
                defined.add(expression)
                lines.append(
                    f'{_var(expression, ids)}=$(python3 "$OUT/check.py" id "$OUT" '
                    f"{shlex.quote(expression)}) || exit 2"
                )
    lines.append(
        f'python3 "$OUT/check.py" check "$OUT" {shlex.quote(check.expression)} '
        f"{shlex.quote(check.title)}"
    )
    return "\n".join(lines) + "\n"


def _upto(sequence: Sequence, last: Call) -> list[Call]:
    calls = sequence.calls
    return calls[: calls.index(last) + 1]


def _refers_only_to(expression: str, numbers: set[int]) -> bool:
    used = {int(n) for n in re.findall(r"r\[(\d+)\]", expression)}
    return bool(used) and used <= numbers


PYTEST_SENDER = '''

# -- the requests -------------------------------------------------------------------------------
import http.client  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

API = os.environ.get("CONFORMANCE_BASE_URL", {base!r}).rstrip("/") + os.environ.get(
    "CONFORMANCE_PATH_PREFIX", {prefix!r}
)


def send(method, path, headers, body=None):
    """One request with http.client, so invalid key values go out exactly as written."""
    url = urlsplit(API + path)
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = kind(url.netloc, timeout=30)
    connection.putrequest(method, url.path + (f"?{{url.query}}" if url.query else ""))
    connection.putheader("Accept", "application/json")
    for name, value in headers:
        if value.startswith("$"):
            if value[1:] not in os.environ:
                raise RuntimeError(f"set {{value[1:]}} in the environment first")
            value = os.environ[value[1:]]
        connection.putheader(name, value)
    data = body.encode() if body is not None else b""
    connection.putheader("Content-Length", str(len(data)))
    connection.endheaders(data)
    answer = connection.getresponse()
    text = answer.read().decode("utf-8", "replace")
    resp = Resp(answer.status, answer.getheader("Content-Type"), text)
    connection.close()
    print(method, path, "->", resp.status, resp.text[:300])
    return resp


def together(*requests):
    """Send the requests at the same moment (one thread each)."""
    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def run(index):
        barrier.wait(timeout=10)
        results[index] = send(*requests[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
'''


def _py_headers(call: Call, headers: Headers, ids: list[str]) -> str:
    found: list[tuple[str, str]] = []
    key, secret = AUTH_PLACEHOLDERS[call.auth]
    if key is not None:
        found.append((headers.key_header, key))
    if secret is not None:
        found.append((headers.secret_header, secret))
    text = repr(found)[:-1]
    if call.key is not None:
        text += f"{', ' if found else ''}({call.key_header!r}, K[{call.key!r}])"
    elif call.key_literal is not None:
        text += f"{', ' if found else ''}({call.key_header!r}, {call.key_literal!r})"
    if call.content_type is not None:
        text += f", ('Content-Type', {call.content_type!r})"
    return text + "]"


def _py_request(call: Call, headers: Headers, ids: list[str]) -> str:
    path = repr(call.path)
    if call.payment:
        path = "f" + repr(call.path.replace("{P}", "{" + _var(call.payment, ids) + "}"))
    return f"({call.method!r}, {path}, {_py_headers(call, headers, ids)}, {call.body!r})"


def pytest_module(
    sequence: Sequence, check: Check, *, api_root: str, prefix: str, headers: Headers, name: str
) -> str:
    base = _base_url(api_root, prefix)
    ids = sequence.ids_needed()
    head = [
        f"# test_{name}.py: the state machine's shortest failing sequence "
        f"({len(sequence.calls)} requests), standalone.",
        f"# {check.title}",
        "# Run: DEVDRAFT_API_KEY=... DEVDRAFT_SECRET=... [CONFORMANCE_BASE_URL=...] "
        f"python -m pytest -s test_{name}.py",
        "# It fails while the target still breaks the requirement, and passes once it is fixed.",
    ]
    body = [f"\n\ndef test_{name}() -> None:", "    r = {}"]
    body.append(f"    K = make_keys({sequence.keys!r})")
    defined: set[str] = set()
    for group in _groups(sequence.items):
        if isinstance(group, Pause):
            body.append(f"    time.sleep({group.seconds!r})  # step {group.step}: a short pause")
            continue
        body.append(f"    # step {group[0].step}: {group[0].rule}")
        if len(group) == 1:
            body.append(f"    r[{group[0].n}] = send(*{_py_request(group[0], headers, ids)})")
        else:
            targets = ", ".join(f"r[{c.n}]" for c in group)
            requests = ", ".join(_py_request(c, headers, ids) for c in group)
            body.append(f"    {targets} = together({requests})")
        for expression in ids:
            if expression not in defined and _refers_only_to(
                expression, {c.n for c in _upto(sequence, group[-1])}
            ):
                defined.add(expression)
                body.append(
                    f"    {_var(expression, ids)} = quote(str(({expression}).get('id')), safe='')"
                )
    body.append(f"    assert {check.expression}, {check.title!r}")
    runtime = Path(repro_runtime.__file__).read_text(encoding="utf-8").rstrip("\n")
    sender = PYTEST_SENDER.format(base=base, prefix=prefix)
    return "\n".join(head) + "\n" + runtime + "\n" + sender + "\n".join(body) + "\n"


def file_stem(requirement: str) -> str:
    return "stateful_" + re.sub(r"\W+", "_", requirement.lower()).strip("_")


def write(
    report_dir: Path,
    sequence: Sequence,
    check: Check,
    *,
    api_root: str,
    prefix: str,
    headers: Headers,
    redactor: Redactor,
) -> tuple[Path, str, Path, str]:
    """Write `repro/<stem>.sh` and `repro/test_<stem>.py`; return both paths and texts."""
    folder = report_dir / "repro"
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(check.requirement)
    script_path, test_path = folder / f"{stem}.sh", folder / f"test_{stem}.py"
    script = (
        redactor.text(
            shell_script(
                sequence,
                check,
                api_root=api_root,
                prefix=prefix,
                headers=headers,
                path=str(script_path),
            )
        )
        or ""
    )
    test = (
        redactor.text(
            pytest_module(
                sequence, check, api_root=api_root, prefix=prefix, headers=headers, name=stem
            )
        )
        or ""
    )
    script_path.write_text(script, encoding="utf-8")
    script_path.chmod(0o755)
    test_path.write_text(test, encoding="utf-8")
    return script_path, script, test_path, test
