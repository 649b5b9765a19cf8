"""A Plan as a standalone pytest module: the same requests, waits and check as the script.

The module needs only pytest and the `_support` folder beside it (the runtime and a copy of
the suite's checks); requests go out through http.client exactly as written, simultaneous
ones from threads released by one barrier.
"""

from __future__ import annotations

import pprint

from conformance.repro.plan import Group, Plan, Request, Segment, Step, Wait

__all__ = ["module"]


def _value(value: list[Segment]) -> str:
    """A Python expression for a value made of segments (see plan.Segment)."""
    parts = []
    for kind, text in value:
        if kind == "text":
            parts.append(repr(text))
        elif kind == "env":
            parts.append(f"env({text!r})")
        elif kind == "key":
            parts.append(f"run.key({text})")
        else:
            parts.append(text.lower())
    return " + ".join(parts) or "''"


def _path(request: Request) -> str:
    return _value(request.path)


def _arguments(request: Request) -> str:
    headers = ", ".join(f"({name!r}, {_value(value)})" for name, value in request.headers)
    return (
        f"{request.position}, {request.method!r}, {_path(request)}, [{headers}], {request.body!r}"
    )


def _step(plan: Plan, step: Step) -> list[str]:
    pad = " " * 8
    if isinstance(step, Wait):
        return [f"{pad}run.wait({step.seconds!r})  # the run paused here"]
    if isinstance(step, Group):
        lines = [f"{pad}run.together("]
        lines += [f"{pad}    ({_arguments(r)})," for r in step.requests]
        lines.append(f"{pad})")
    else:
        lines = [f"{pad}run.send({_arguments(step)})  # the run got {step.recorded}"]
    for source in plan.ids_after(step):
        lines.append(
            f"{pad}{source.name.lower()} = run.id({source.position}, {source.field!r}, "
            f"{tuple(source.group)!r})"
        )
    return lines


def _comment(text: str) -> list[str]:
    shown = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)
    return [f"# {line}".rstrip() for line in shown.splitlines()] or ["#"]


def module(plan: Plan, *, name: str, script_name: str, run_id: str) -> str:
    function = name.removesuffix(".py")
    head = [
        f'"""Reproduces a failure of {plan.requirement} (run {run_id}); see the comments below.',
        "",
        f"Run: python -m pytest -s {name}  (secrets from the environment:",
        f"{', '.join(plan.secrets()) or 'none needed'}; CONFORMANCE_BASE_URL and",
        "CONFORMANCE_PATH_PREFIX point it at another target). It fails while the target still",
        "breaks the requirement and passes once the target is fixed. The same as a shell script:",
        f'{script_name}."""',
        "",
        *_comment(plan.title),
        f"# Test: {plan.test}",
        *_comment(f"Expected: {plan.expected}"),
        *_comment(f"Received: {plan.received}"),
        *[line for note in plan.notes for line in _comment(note)],
        "",
        "import sys",
        "from pathlib import Path",
        "",
        'sys.path.insert(0, str(Path(__file__).resolve().parent / "_support"))',
        "",
        "from devdraft_repro import Reproduction, env  # noqa: E402",
        "",
        "REPRODUCTION = Reproduction(",
        f"    base_url={plan.base_url!r},",
        f"    prefix={plan.prefix!r},",
        f"    keys={plan.keys!r},",
        f"    rounds={plan.rounds},",
        ")",
        f"CHECK = {pprint.pformat(plan.judgement.spec(), width=92, sort_dicts=True)}",
        "",
        "",
        f"def {function}() -> None:",
        "    for run in REPRODUCTION.rounds():",
    ]
    body = [line for step in plan.steps for line in _step(plan, step)]
    body.append("        run.check(CHECK)")
    return "\n".join(head + body) + "\n"
