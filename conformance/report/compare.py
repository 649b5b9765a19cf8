"""compare.json: runs side by side, one row per requirement, one column per run.

Plain data built from the runs' conformance.json files only, as every report is; compare.html
renders it (compare_html.py). Each cell links to the run's own evidence: its conformance.html
at the requirement (its failure section when it failed) and a failure's reproduction files,
as links relative to the comparison's directory, so the folder can be moved as a whole.
Columns of one label are one target at different times: they stand together, oldest first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import jsonschema

from conformance.requirements import CATALOG
from conformance.target import default_label

__all__ = ["COMPARE_SCHEMA_VERSION", "CompareError", "ComparedRun", "compare_data", "load_run"]

COMPARE_SCHEMA_VERSION = 1
FAILING = ("fail", "warn")
"""Verdicts whose cells link to the failure's section and reproductions."""
CATALOG_ORDER = {requirement.id: index for index, requirement in enumerate(CATALOG)}


class CompareError(Exception):
    """An input that is not a run's conformance.json (exit 2); the message names the file."""


@dataclass(frozen=True)
class ComparedRun:
    """One run's conformance.json, read and checked against the published schema."""

    path: Path
    data: dict[str, Any]

    @property
    def label(self) -> str:
        """--label, or for a report written before it existed, the target's host."""
        return str(self.data.get("label") or default_label(self.data["target"]))

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.data["started"])


@cache
def _report_schema() -> Any:
    """The published schema, read past fields it does not name: a report of a later version of
    the suite (schema_version 1 still, with optional fields added) is compared on the fields
    this version knows, which are checked as strictly as ever."""
    text = resources.files("conformance.report").joinpath("conformance.schema.json").read_text()
    return _open_to_additions(json.loads(text))


def _open_to_additions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _open_to_additions(value)
            for key, value in node.items()
            if not (key == "additionalProperties" and value is False)
        }
    if isinstance(node, list):
        return [_open_to_additions(value) for value in node]
    return node


def load_run(path: Path) -> ComparedRun:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CompareError(f"{path} is not a readable conformance.json: {error}") from None
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(_report_schema()).iter_errors(data)
    )
    if problem is not None:
        raise CompareError(
            f"{path} is not a conformance.json of this suite: at {problem.json_path}: "
            f"{problem.message[:160]}"
        )
    shard = data.get("shard")
    if shard:
        raise CompareError(
            f"{path} is part {shard['index']}/{shard['total']} of a sharded run; compare the "
            "report of `devdraft-conformance merge` over all its parts"
        )
    return ComparedRun(path, data)


def _columns(runs: Sequence[ComparedRun]) -> list[ComparedRun]:
    """Labels in the order first given; the runs of one label oldest first."""
    first_given: dict[str, int] = {}
    for position, run in enumerate(runs):
        first_given.setdefault(run.label, position)
    return sorted(runs, key=lambda run: (first_given[run.label], run.started))


def _titles(columns: Sequence[ComparedRun]) -> list[str]:
    """Each column's heading: its label, with its start time when the label is shared, and
    its position when even that is shared (the same report given twice)."""
    labels = [run.label for run in columns]
    titles = [
        f"{run.label} {run.data['started']}" if labels.count(run.label) > 1 else run.label
        for run in columns
    ]
    return [
        f"{title} #{position + 1}" if titles.count(title) > 1 else title
        for position, title in enumerate(titles)
    ]


def _href(file: Path, report_dir: Path, fragment: str = "") -> str:
    relative = PurePath(os.path.relpath(file.resolve(), report_dir.resolve())).as_posix()
    return quote(relative) + (f"#{fragment}" if fragment else "")


def _reproduction(recorded: str, run_dir: Path) -> Path:
    """Where a reproduction the run wrote is now: the recorded path's tail from its repro/
    folder on (parts/K/repro/... for --workers) found under the run's directory."""
    parts = PurePath(recorded).parts
    for start in range(len(parts) - 1, -1, -1):
        if parts[start] != "repro":
            continue
        for begin in range(start, -1, -1):
            candidate = run_dir.joinpath(*parts[begin:])
            if candidate.is_file():
                return candidate
        break
    return run_dir / "repro" / parts[-1]


def _cell(run: ComparedRun, entry: dict[str, Any] | None, report_dir: Path) -> dict[str, Any]:
    page = run.path.parent / "conformance.html"
    if entry is None:
        return {"verdict": "absent", "href": _href(page, report_dir), "reproductions": []}
    failed = entry["verdict"] in FAILING
    fragment = f"{'fail' if failed else 'req'}-{entry['id']}"
    reproductions = [
        {"kind": kind, "href": _href(_reproduction(files[kind], run.path.parent), report_dir)}
        for test in entry["tests"]
        if failed and test["outcome"] == "failed"
        for files in [test.get("reproduction_files")]
        if files
        for kind in ("sh", "pytest")
    ]
    return {
        "verdict": entry["verdict"],
        "href": _href(page, report_dir, fragment),
        "reproductions": reproductions,
    }


def _column(run: ComparedRun, title: str, report_dir: Path) -> dict[str, Any]:
    data, must = run.data, run.data["summary"]["must"]
    return {
        "title": title,
        "label": run.label,
        "source": str(run.path),
        "report": _href(run.path.parent / "conformance.html", report_dir),
        "run_id": data["run_id"],
        "target": data["target"],
        "started": data["started"],
        "profile": data["profile"],
        "seed": data["seed"],
        "suite_version": data["versions"]["suite"],
        "exit_code": data["exit_code"],
        "line": data["summary"]["line"],
        "must": {k: must[k] for k in ("passed", "failed", "not_judged")},
    }


def compare_data(runs: Sequence[ComparedRun], report_dir: Path) -> dict[str, Any]:
    """The comparison of `runs`: rows where their verdicts differ first, each group in
    catalog order; links relative to `report_dir`, where compare.html is written."""
    columns = _columns(runs)
    entries = [{e["id"]: e for e in run.data["requirements"]} for run in columns]
    ids = sorted(
        {i: None for by_id in entries for i in by_id},
        key=lambda i: CATALOG_ORDER.get(i, len(CATALOG_ORDER)),
    )
    rows = []
    for requirement_id in ids:
        known = next(by_id[requirement_id] for by_id in entries if requirement_id in by_id)
        cells = [
            _cell(run, by_id.get(requirement_id), report_dir)
            for run, by_id in zip(columns, entries, strict=True)
        ]
        rows.append(
            {
                "id": requirement_id,
                "level": known["level"],
                "area": known["area"],
                "statement": known["statement"],
                "disagree": len({cell["verdict"] for cell in cells}) > 1,
                "cells": cells,
            }
        )
    rows.sort(key=lambda row: not row["disagree"])  # stable: catalog order within each group
    return {
        "schema_version": COMPARE_SCHEMA_VERSION,
        "runs": [
            _column(run, title, report_dir)
            for run, title in zip(columns, _titles(columns), strict=True)
        ],
        "disagreeing": sum(row["disagree"] for row in rows),
        "rows": rows,
    }
