"""A reader of the source document (TestPaymentsApi.md, generated markdown): its method table,
and for each operation its statuses, samples, curl and JSON examples, parameters, auth and media
types."""

from __future__ import annotations

import html
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Curl",
    "DocOperation",
    "Document",
    "parse_curl",
    "parse_document",
    "parse_operation",
    "parse_sample",
]


@dataclass(frozen=True)
class Curl:
    method: str
    url: str
    headers: dict[str, str]
    body: Any | None


@dataclass
class DocOperation:
    """What the document shows for one operation."""

    name: str
    summary: str = ""
    statuses: dict[int, str] = field(default_factory=dict)
    samples: dict[int, Any] = field(default_factory=dict)
    curls: list[Curl] = field(default_factory=list)
    json_examples: list[Any] = field(default_factory=list)
    return_type: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    """Parameter name -> its type; a model name (e.g. PaymentRequestDto) means the body."""
    auth: set[str] = field(default_factory=set)
    content_type: str = ""
    accept: str = ""
    key_format: tuple[int, int, str] | None = None


@dataclass(frozen=True)
class Document:
    host: str
    table: dict[str, tuple[str, str, str]]
    """Client method -> (HTTP method, path, description) from the method table."""
    operations: dict[str, DocOperation]


FENCE = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


def parse_curl(text: str) -> Curl:
    tokens = shlex.split(text.replace("\\\n", " "))
    assert tokens[0] == "curl", text
    method, url, headers, body = "GET", "", {}, None
    rest = iter(tokens[1:])
    for token in rest:
        if token == "-X":
            method = next(rest)
        elif token == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif token == "-d":
            body = json.loads(next(rest))
        else:
            url = token
    return Curl(method, url, headers, body)


def parse_sample(cell: str) -> Any | None:
    """The JSON sample hidden, HTML-escaped, in a status table cell."""
    text = html.unescape(cell).replace('\\"', '"')
    found = re.search(r"```json(.*?)```", text, re.DOTALL)
    return json.loads(found.group(1)) if found else None


def parse_operation(name: str, text: str) -> DocOperation:
    doc = DocOperation(name)
    summary = re.search(r"^> .*\n\n(.+)$", text, re.MULTILINE)
    doc.summary = summary.group(1).strip() if summary else ""
    for status, cell in re.findall(r"^\*\*(\d{3})\*\* \| (.*?) \| .*\|$", text, re.MULTILINE):
        head = cell.split("Sample response:")[0]
        doc.statuses[int(status)] = " ".join(head.split()).rstrip(".")
        sample = parse_sample(cell)
        if sample is not None:
            doc.samples[int(status)] = sample
    for language, block in FENCE.findall(text):
        if language == "bash" and block.lstrip().startswith("curl"):
            doc.curls.append(parse_curl(block.strip()))
        elif language == "json":
            doc.json_examples.append(json.loads(block))
    return_type = re.search(r"### Return type\s+\[\*\*(\w+)\*\*\]", text)
    doc.return_type = return_type.group(1) if return_type else ""
    for param, model, scalar in re.findall(
        r"^ \*\*(\w+)\*\* \| (?:\[\*\*(\w+)\*\*\]\([^)]*\)|\*\*(\w+)\*\*)\s*\|", text, re.MULTILINE
    ):
        doc.parameters[param] = model or scalar
    auth = re.search(r"### Authorization\s+(.+)", text)
    doc.auth = set(re.findall(r"\[([\w-]+)\]\(", auth.group(1))) if auth else set()
    content_type = re.search(r"- \*\*Content-Type\*\*: (.+)", text)
    doc.content_type = content_type.group(1).strip() if content_type else ""
    accept = re.search(r"- \*\*Accept\*\*: (.+)", text)
    doc.accept = accept.group(1).strip() if accept else ""
    key_format = re.search(r"\*\*Key format\*\*: Between (\d+)-(\d+) (\w+) characters", text)
    if key_format:
        low, high, alphabet = key_format.groups()
        doc.key_format = (int(low), int(high), alphabet)
    return doc


def parse_document(text: str) -> Document:
    host = re.search(r"All URIs are relative to \*(\S+?)\*", text)
    assert host, "the document no longer names its host"
    table = {
        name: (method, path, description.strip())
        for name, method, path, description in re.findall(
            r"^\[\*\*(\w+)\*\*\]\([^)]*\) \| \*\*([A-Z]+)\*\* (\S+) \| (.+)$", text, re.MULTILINE
        )
    }
    parts = re.split(r"^# \*\*(\w+)\*\*$", text, flags=re.MULTILINE)
    operations = {
        name: parse_operation(name, body)
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }
    return Document(host.group(1), table, operations)
