"""conformance.html: one self-contained page rendered from the report data (autoescape on).

No value is ever marked safe: whatever the target sent (messages, headers, bodies) reaches the
page escaped, and the page's Content-Security-Policy allows no script and no request at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from conformance.requirements import AREAS

__all__ = ["TEMPLATES", "render_html", "write_html"]

TEMPLATES = Environment(  # every page of the report package renders through this one
    loader=PackageLoader("conformance.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pretty(text: str | None) -> str:
    """A body pretty-printed when it is JSON, as it came otherwise (also when it holds a lone
    surrogate escape such as "\\ud800", which no UTF-8 page can carry unescaped)."""
    if not text:
        return ""
    try:
        pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        pretty.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return text
    return pretty


TEMPLATES.filters["pretty"] = _pretty


def _state(data: dict[str, Any]) -> tuple[str, str]:
    if data["interrupted"]:
        return "incomplete", "Interrupted"
    if data["conformant"]:
        return "ok", "Conformant"
    if data["exit_code"] == 1:
        return "bad", "Not conformant"
    return "incomplete", "Incomplete"


def render_html(data: dict[str, Any]) -> str:
    by_area = {area: [r for r in data["requirements"] if r["area"] == area] for area in AREAS}
    state, label = _state(data)
    return TEMPLATES.get_template("conformance.html.j2").render(
        run=data,
        areas={a: rs for a, rs in by_area.items() if rs},
        failing=[r for r in data["requirements"] if r["verdict"] in ("fail", "warn")],
        state=state,
        verdict_label=label,
    )


def write_html(data: dict[str, Any], path: Path) -> Path:
    path.write_text(render_html(data), encoding="utf-8")
    return path
