"""compare.html and compare.json: the comparison's data written as it is, and rendered as one
self-contained page under the same rules as conformance.html (autoescape, no script, a CSP
that allows none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.report.html import TEMPLATES
from conformance.report.json_report import write_json

__all__ = ["render_compare", "write_compare"]


def render_compare(data: dict[str, Any]) -> str:
    return TEMPLATES.get_template("compare.html.j2").render(
        compare=data,
        disagreeing=[row for row in data["rows"] if row["disagree"]],
        agreeing=[row for row in data["rows"] if not row["disagree"]],
    )


def write_compare(data: dict[str, Any], report_dir: Path) -> list[Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    page = report_dir / "compare.html"
    page.write_text(render_compare(data), encoding="utf-8")
    return [page, write_json(data, report_dir / "compare.json")]
