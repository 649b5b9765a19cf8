"""A standalone pytest function that replays a failure's exchanges, for the report.

The generated text needs only `requests` and `pytest`. Secrets stay environment variables
(`$DEVDRAFT_API_KEY`, `$DEVDRAFT_SECRET`): the recorded exchanges already carry those
placeholders, and the function expands them at run time, so the text itself holds no secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Headers the HTTP library sets by itself.
_IMPLIED = {"content-length", "user-agent", "accept-encoding", "connection", "host"}


def _name(test: str) -> str:
    tail = test.rsplit("::", 1)[-1]
    return "test_reproduce_" + (re.sub(r"\W+", "_", tail).strip("_").lower() or "failure")


def _comment(text: str) -> list[str]:
    return [f"    # {line}".rstrip() for line in text.splitlines()] or ["    #"]


def pytest_function(
    test: str, exchanges: list[Mapping[str, Any]], expected: str = "", received: str = ""
) -> str:
    """A module of one test that sends `exchanges` in order and checks the recorded statuses.

    It passes while the target still answers as it did in the failing run; read the responses
    it prints against Expected / Received to see the failure.
    """
    lines = [
        f'"""Replays the exchanges of {test}.',
        "",
        "Run: DEVDRAFT_API_KEY=... DEVDRAFT_SECRET=... python -m pytest -s this_file.py",
        '"""',
        "",
        "import os",
        "",
        "import requests",
        "",
        "",
        "def send(session, method, url, headers, body):",
        "    headers = {name: os.path.expandvars(value) for name, value in headers.items()}",
        "    data = os.path.expandvars(body).encode() if body is not None else None",
        "    response = session.request(",
        "        method, os.path.expandvars(url), headers=headers, data=data,",
        "        allow_redirects=False, timeout=30,",
        "    )",
        "    print(method, url, '->', response.status_code, response.text[:500])",
        "    return response",
        "",
        "",
        f"def {_name(test)}():",
    ]
    if expected or received:
        lines += _comment(f"Expected: {expected}") + _comment(f"Received: {received}")
    lines.append("    session = requests.Session()")
    for exchange in exchanges:
        headers = {
            name: value
            for name, value in exchange.get("request_headers", {}).items()
            if name.lower() not in _IMPLIED
        }
        call = (
            f"send(session, {exchange['method']!r}, {exchange['url']!r}, {headers!r}, "
            f"{exchange.get('request_body')!r})"
        )
        status = exchange.get("status")
        if status is None:
            lines.append(f"    {call}  # the failing run got no answer")
        else:
            lines.append(f"    assert {call}.status_code == {status!r}")
    return "\n".join(lines) + "\n"
