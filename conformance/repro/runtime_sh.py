"""The shell reproduction's helper: keys, bodies, waits, ids and the check, from files.

Standard library only; copied beside the reproductions as `repro/_support/devdraft_sh.py`
(next to `devdraft_repro.py`, the runtime it uses). The script saves each answer as
ROUND/POSITION.status, .head (curl's header dump) and .body, and the first 429 of a request as
POSITION.429.*:

    keys DIR ROUNDS KEY...       fresh keys for each round: DIR/ROUND/keys.sh and keys.json
    body FILE                    copy stdin to FILE without the heredoc's last newline
    retry-after HEADERS ATTEMPT  seconds to wait before retrying a 429
    id DIR POSITION FIELD [GROUP]  print the URL-quoted id an earlier answer returned
    judge DIR ROUNDS FIRST LAST  apply the check (JSON on stdin) to rounds FIRST to LAST

A `judge` exits 0 when the check passes in those rounds (after the last of all it says the
failure no longer shows), 1 at the first where it fails (the failure is reproduced) and 2 when
the sequence could not be followed (no answer, no id). The script judges after rounds 1, 3, 7,
15..., the last, and any round that met a 429: a fault that shows in the first round costs
that round, not all of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from conformance.repro import runtime
else:
    try:
        import devdraft_repro as runtime  # the copy beside a written reproduction
    except ImportError:
        from conformance.repro import runtime  # inside the suite's own tests

__all__ = ["main"]

Reply = runtime.Reply


def _saved(folder: Path, position: int) -> Reply | None:
    """Answer `position` as the script saved it: N.status, N.head, N.body (and N.429.*)."""
    status_file = folder / f"{position}.status"
    if not status_file.is_file() or (folder / f"{position}.failed").exists():
        return None
    reply = _read(folder, str(position))
    if (folder / f"{position}.429.head").is_file():
        reply.first_429 = _read(folder, f"{position}.429")
        reply.first_429.status = 429
    return reply


def _read(folder: Path, stem: str) -> Reply:
    status_file = folder / f"{stem}.status"
    status = int(status_file.read_text().strip() or 0) if status_file.is_file() else 0
    blocks = (folder / f"{stem}.head").read_bytes().decode("latin-1").split("\r\n\r\n")
    last = [b for b in blocks if b.strip()][-1:] or [""]
    headers = []
    for line in last[0].split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name:
            headers.append((name.strip(), value.strip()))
    return Reply(status, headers, (folder / f"{stem}.body").read_bytes(), None)


def _answers(folder: Path, positions: list[int]) -> dict[int, Reply]:
    found = {}
    for position in positions:
        reply = _saved(folder, position)
        if reply is not None:
            found[position] = reply
    return found


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    try:
        if command == "keys":
            for number in range(1, int(args[1]) + 1):
                made, folder = runtime.fresh_keys(args[2:]), Path(args[0], str(number))
                folder.mkdir()
                (folder / "keys.json").write_text(json.dumps(made), encoding="utf-8")
                lines = [f"K{i}='{key}'" for i, key in enumerate(made, start=1)]
                (folder / "keys.sh").write_text("".join(f"{x}\n" for x in lines), "utf-8")
        elif command == "body":
            data = sys.stdin.buffer.read()
            Path(args[0]).write_bytes(data[:-1] if data.endswith(b"\n") else data)
        elif command == "retry-after":
            blocks = Path(args[0]).read_bytes().decode("latin-1").split("\r\n")
            headers = [
                tuple(p.strip() for p in line.split(":", 1)) for line in blocks if ":" in line
            ]
            print(f"{runtime.retry_after(headers, int(args[1])):g}")  # type: ignore[arg-type]
        elif command == "id":
            group = [int(p) for p in args[3].split(",")] if len(args) > 3 and args[3] else []
            folder, position = Path(args[0]), int(args[1])
            answers = _answers(folder, [position, *group])
            found = runtime.identifier(answers, position, args[2], group)
            print(quote(str(found), safe=""))
        elif command == "judge":
            spec, rounds, last = json.loads(sys.stdin.read()), int(args[1]), int(args[3])
            for number in range(int(args[2]), last + 1):
                folder = Path(args[0], str(number))
                keys = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
                answers = _answers(folder, runtime.needed(spec))
                runtime.judge(spec, answers, keys, f"round {number} of {rounds}")
            if last == rounds:
                print(
                    f"not reproduced: the target now passes {spec['check']} ({spec['requirement']})"
                )
        else:
            raise runtime.CannotFollow(f"unknown command {command!r}")
    except runtime.CannotFollow as error:
        print(f"could not follow the sequence: {error}", file=sys.stderr)
        return 2
    except runtime.Violation as violation:
        print(runtime.reproduced(violation))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
