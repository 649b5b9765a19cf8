"""Curl commands that replay recorded exchanges; secrets appear as their environment variables."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

# Headers the HTTP library adds by itself; curl adds its own.
_IMPLIED = {"content-length", "user-agent", "accept-encoding", "connection", "host"}


def _quote(value: str) -> str:
    """Shell-quote, but leave $DEVDRAFT_* placeholders expandable."""
    if "$DEVDRAFT_" not in value:
        return shlex.quote(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'


def curl_command(exchange: Mapping[str, Any]) -> str:
    parts = ["curl", "-sS", "-i", "-X", exchange["method"], shlex.quote(exchange["url"])]
    for name, value in exchange.get("request_headers", {}).items():
        if name.lower() not in _IMPLIED:
            parts += ["-H", _quote(f"{name}: {value}")]
    body = exchange.get("request_body")
    if body:
        parts += ["--data-binary", _quote(body)]
    return " ".join(parts)


def curl_script(exchanges: list[Mapping[str, Any]]) -> str:
    """A shell script of the exchanges in order (a wait between exchanges is not reproduced)."""
    lines = ["#!/bin/sh", "# Set DEVDRAFT_API_KEY and DEVDRAFT_SECRET before running."]
    lines += [curl_command(exchange) + "; echo" for exchange in exchanges]
    return "\n".join(lines) + "\n"
