"""A Plan as a POSIX shell script of curl calls, with the one shell quoter of the suite.

Every value goes through `word`: literal text single-quoted (bytes curl must send exactly go
through printf's octal escapes), secrets and the round's keys and ids as variables. Bodies
come from quoted heredocs: nothing in them is ever expanded. Simultaneous requests run in the
background and `wait` joins them. The helper `_support/devdraft_sh.py` makes the keys, reads
ids, and applies the check to the rounds' answers after rounds 1, 3, 7, 15..., the last, and
any round that met a 429: a failure ends the script within twice the rounds it took to show
(at once where a limit shows; the pytest module, which judges in its own process, stops at the
round itself), and a target that passes costs a few starts of the helper, not one a round.
"""

from __future__ import annotations

import itertools
import json
import shlex

from conformance.repro.plan import Group, Plan, Request, Segment, Step, Wait

__all__ = ["script", "word"]


def _literal(text: str) -> str:
    """Text as one sh word: printable ASCII single-quoted, other bytes through printf."""
    out: list[str] = []
    for printable, run in itertools.groupby(text, key=lambda c: 32 <= ord(c) < 127):
        chars = "".join(run)
        if printable:
            out.append(shlex.quote(chars))
            continue
        raw = b"".join(c.encode("latin-1") if ord(c) < 256 else c.encode("utf-8") for c in chars)
        out.append("\"$(printf '" + "".join(f"\\{b:03o}" for b in raw) + "')\"")
    return "".join(out)


def word(value: list[Segment]) -> str:
    """One shell word for a value made of segments (see plan.Segment)."""
    merged: list[Segment] = []
    for kind, text in value:
        if merged and kind == "text" == merged[-1][0]:
            merged[-1] = ("text", merged[-1][1] + text)
        else:
            merged.append((kind, text))
    parts = []
    for kind, text in merged:
        if kind == "text":
            parts.append(_literal(text))
        elif kind == "key":
            parts.append(f'"$K{text}"')
        else:  # an environment variable or an id read at run time
            parts.append(f'"${{{text}}}"')
    return "".join(parts) or "''"


def _header(name: str, value: list[Segment]) -> str:
    texts = "".join(text for kind, text in value if kind == "text")
    if all(kind == "text" for kind, _ in value) and not texts.strip():
        return "-H " + word([("text", f"{name};")])  # curl's way to send an empty value
    return "-H " + word([("text", f"{name}: "), *value])


def _body(request: Request) -> list[str]:
    """The lines that write the request's body to $OUT/POSITION.req, from a quoted heredoc."""
    if request.body is None:
        return []
    delimiter = "DEVDRAFT_BODY"
    while delimiter in request.body.splitlines():
        delimiter += "_"
    return [
        f'"$PY" -S "$RT" body "$OUT/{request.position}.req" <<\'{delimiter}\' || exit 2',
        request.body,
        delimiter,
    ]


def _send(request: Request, background: bool) -> list[str]:
    """The line that sends the request (indented: it runs in the rounds' loop)."""
    lines = []
    args = [_header(name, value) for name, value in request.headers]
    names = {name.lower() for name, _ in request.headers}
    if request.body is not None:
        args.append(f'--data-binary @"$OUT/{request.position}.req"')
        if "content-type" not in names:
            args.append("-H 'Content-Type:'")  # curl would add one of its own
    if "accept" not in names:
        args.append("-H 'Accept:'")
    where = word(request.path)
    target = where if request.absolute else f'"$API"{where}'
    command = f"  send {request.position} {request.method} {target} {' '.join(args)}"
    lines.append(command + (" &" if background else ""))
    return lines


def _comment(text: str) -> list[str]:
    shown = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)
    return [f"# {line}".rstrip() for line in shown.splitlines()] or ["#"]


SEND = """\
send() {  # send POSITION METHOD URL CURL-ARGS...: the answer goes to $R/POSITION.*
  n=$1 method=$2 url=$3; shift 3
  attempt=1
  while :; do
    status=$(curl -sS -X "$method" "$url" -o "$R/$n.body" -D "$R/$n.head" \\
      -w '%{http_code}' "$@") || { : > "$R/$n.failed"; echo "[$n] $method: no answer" >&2; return; }
    echo "$status" > "$R/$n.status"
    [ "$status" = 429 ] && [ ! -e "$R/$n.429.head" ] && \\
      cp "$R/$n.head" "$R/$n.429.head" && cp "$R/$n.body" "$R/$n.429.body"
    [ "$status" = 429 ] && [ "$attempt" -lt 5 ] || break
    sleep "$("$PY" -S "$RT" retry-after "$R/$n.head" "$attempt")"  # a 429 waited out
    attempt=$((attempt + 1))
  done
  echo "[$n] $method ${url#"$API"} -> $status $(head -c 300 "$R/$n.body")"
}
met_429() {  # whether a request of this round was answered 429 (it saved POSITION.429.*)
  for saved in "$R"/*.429.head; do [ -e "$saved" ] && return 0; done
  return 1
}"""


def _step(plan: Plan, step: Step) -> list[str]:
    if isinstance(step, Wait):
        note = "" if step.seconds >= step.recorded else f" (the run waited {step.recorded:.1f} s)"
        return [f"  sleep {step.seconds:g}  # the run paused here{note}"]
    group = step.requests if isinstance(step, Group) else [step]
    lines = []
    if isinstance(step, Group):
        lines.append(f"  # requests {group[0].position}-{group[-1].position}: simultaneous")
    for request in group:
        lines += _send(request, background=isinstance(step, Group))
    if isinstance(step, Group):
        lines.append("  wait")
    for source in plan.ids_after(step):
        group_arg = ",".join(map(str, source.group))
        lines.append(
            f'  {source.name}=$("$PY" -S "$RT" id "$R" {source.position} {source.field}'
            + (f" {group_arg}" if group_arg else "")
            + ") || exit 2"
        )
    return lines


def script(plan: Plan, *, name: str, pytest_name: str, run_id: str) -> str:
    required = [f': "${{{v}:?set {v} (see the top of this script)}}"' for v in plan.secrets()]
    head = [
        "#!/bin/sh",
        f"# {name}: reproduces a failure of {plan.requirement} from run {run_id}",
        *_comment(plan.title),
        f"# Test: {plan.test}",
        *_comment(f"Expected: {plan.expected}"),
        *_comment(f"Received: {plan.received}"),
        "#",
        *_comment(_what(plan)),
        *[line for note in plan.notes for line in _comment(note)],
        "#",
        "# Needs curl and python3 (3.10+; PYTHON names another). Secrets come from the",
        "# environment: " + (", ".join(plan.secrets()) or "none needed") + ".",
        "# CONFORMANCE_BASE_URL and CONFORMANCE_PATH_PREFIX point it at another target.",
        "# Exit 1: the failure shows again. Exit 0: the target now passes the check.",
        "# Exit 2: the sequence could not be followed. The same test for pytest: " + pytest_name,
        "set -u",
        'HERE=$(cd "$(dirname "$0")" && pwd)',
        'PY="${PYTHON:-python3}"',
        'RT="$HERE/_support/devdraft_sh.py"',
        'API="${CONFORMANCE_BASE_URL:-'
        + plan.base_url.rstrip("/")
        + "}${CONFORMANCE_PATH_PREFIX-"
        + plan.prefix
        + '}"',
        *required,
        "OUT=$(mktemp -d) || exit 2",
        "trap 'rm -rf \"$OUT\"' EXIT",
        SEND,
        "# The bodies, exactly as the run sent them; fresh keys for every round.",
        *[line for request in plan.requests() for line in _body(request)],
        f'"$PY" -S "$RT" keys "$OUT" {plan.rounds}'
        + "".join(f" {word([('text', key)])}" for key in plan.keys)
        + " || exit 2",
        "# The suite's own check, applied after rounds 1, 3, 7, 15..., the last, and any 429.",
        "cat > \"$OUT/check.json\" <<'DEVDRAFT_CHECK' || exit 2",
        json.dumps(plan.judgement.spec(), sort_keys=True),
        "DEVDRAFT_CHECK",
        "round=1 judged=0",
        f"while [ $round -le {plan.rounds} ]; do",
        '  R="$OUT/$round"',
        '  . "$R/keys.sh"',
    ]
    body = [line for step in plan.steps for line in _step(plan, step)]
    tail = [
        "  # Exit 1 when the check fails in a round; the last round's pass is the verdict. A",
        "  # round that met a 429 is judged at once: once a limit shows, each round waits.",
        f"  if [ $round -eq $((judged * 2 + 1)) ] || [ $round -eq {plan.rounds} ] || met_429; then",
        f'    "$PY" "$RT" judge "$OUT" {plan.rounds} $((judged + 1)) $round'
        ' < "$OUT/check.json" || exit $?',
        "    judged=$round",
        "  fi",
        "  round=$((round + 1))",
        "done",
    ]
    return "\n".join(head + body + tail) + "\n"


def _what(plan: Plan) -> str:
    requests = len(plan.requests())
    if plan.judgement.check is None:
        return f"Sends the {requests} requests again; {plan.judgement.why}."
    rounds = ""
    if plan.rounds > 1:
        rounds = (
            f" It does so {plan.rounds} times (a race or a limit shows in some rounds only), "
            "with fresh keys each time; the check judges every round, and a round that fails "
            "ends the script soon after."
        )
    positions = ", ".join(map(str, plan.judgement.answers))
    return (
        f"Sends the {requests} requests again with fresh keys and applies the suite's check "
        f"{plan.judgement.check} ({plan.judgement.requirement}) to answers {positions}.{rounds}"
    )
