"""junit.xml: one test case per requirement id; failures carry the Expected / Received message.

How each verdict shows in a CI's test view (GitLab's JUnit parser and the GitHub Actions JUnit
reporters go by the child element and ignore its `type`):
- fail: `<failure>`, the requirement failed;
- warn (a SHOULD failed): `<skipped message="SHOULD warning: ...">`, so it reads as not passed
  without a failed test in a view whose job passed (exit 0); under --strict, where a warning
  fails the run, `<failure type="warning">`;
- not judged, not run: `<skipped message="not judged: ...">`;
- pass, observed: a passing case.
The testsuite's counts and the summary properties come from the same counts as the closing line.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

__all__ = ["write_junit"]

_INVALID_XML = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_INVALID_XML)


def _failure_text(requirement: dict[str, Any]) -> str:
    parts = []
    for test in requirement["tests"]:
        if test["outcome"] in ("failed", "not judged"):
            parts.append(f"{test['test']}\n{test.get('message', '')}".strip())
            if test.get("minimal_example"):
                parts.append(test["minimal_example"])
    return "\n\n".join(parts)


def _status(requirement: dict[str, Any], strict: bool) -> tuple[str, dict[str, str]] | None:
    """The child element that gives the case its status, and its attributes; None: passed."""
    verdict, reason = requirement["verdict"], requirement["reason"]
    new = "[new failure] " if requirement.get("change") == "new failure" else ""
    if verdict == "fail":
        label = f"{new}{requirement['level']} {requirement['id']}: {reason}"
        return "failure", {"message": _clean(label), "type": requirement["level"]}
    if verdict == "warn":
        label = f"{new}SHOULD warning: {requirement['id']}: {reason}"
        if strict:
            return "failure", {"message": _clean(label), "type": "warning"}
        return "skipped", {"message": _clean(label)}
    if verdict in ("not run", "not judged"):
        return "skipped", {"message": _clean(f"{verdict}: {reason}")}
    return None


def write_junit(data: dict[str, Any], path: Path) -> Path:
    requirements = data["requirements"]
    statuses = [_status(r, data["strict"]) for r in requirements]
    summary = data["summary"]
    suite = ET.Element(
        "testsuite",
        {
            "name": "devdraft-conformance",
            "tests": str(len(requirements)),
            "failures": str(sum(1 for s in statuses if s and s[0] == "failure")),
            "errors": "0",
            "skipped": str(sum(1 for s in statuses if s and s[0] == "skipped")),
            "time": str(data["duration"]),
            "timestamp": data["started"],
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("run_id", "target", "seed", "profile"):
        ET.SubElement(properties, "property", {"name": name, "value": str(data[name])})
    counts = {
        "summary": summary["line"],
        "must_passed": summary["must"]["passed"],
        "must_judged": summary["must"]["judged"],
        "must_not_judged": summary["must"]["not_judged"],
        "should_passed": summary["should"]["passed"],
        "should_judged": summary["should"]["judged"],
        "interrupted": str(data["interrupted"]).lower(),
    }
    for name, value in counts.items():
        ET.SubElement(properties, "property", {"name": name, "value": _clean(str(value))})
    if data.get("baseline"):
        baseline = data["baseline"]
        ET.SubElement(properties, "property", {"name": "baseline", "value": baseline["run_id"]})
        ET.SubElement(
            properties,
            "property",
            {"name": "new_failures", "value": ",".join(baseline["new_failures"])},
        )
    for requirement, status in zip(requirements, statuses, strict=True):
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"conformance.{requirement['area']}",
                "name": requirement["id"],
                "time": str(requirement["duration"]),
            },
        )
        change = requirement.get("change")
        out_lines = []
        if change and data.get("baseline"):
            was = requirement.get("baseline_verdict") or "absent"
            out_lines.append(
                f"{change} since baseline run {data['baseline']['run_id']} (was {was})"
            )
        if status is not None:
            element = ET.SubElement(case, status[0], status[1])
            if requirement["verdict"] in ("fail", "warn"):
                element.text = _clean(_failure_text(requirement))
        if out_lines:
            ET.SubElement(case, "system-out").text = _clean("\n".join(out_lines))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
