"""junit.xml: one test case per requirement id; failures carry the Expected / Received message."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

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


def write_junit(data: dict[str, Any], path: Path) -> Path:
    requirements = data["requirements"]
    suite = ET.Element(
        "testsuite",
        {
            "name": "devdraft-conformance",
            "tests": str(len(requirements)),
            "failures": str(sum(r["verdict"] == "fail" for r in requirements)),
            "skipped": str(sum(r["verdict"] in ("not run", "not judged") for r in requirements)),
            "time": str(data["duration"]),
            "timestamp": data["started"],
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("run_id", "target", "seed", "profile"):
        ET.SubElement(properties, "property", {"name": name, "value": str(data[name])})
    if data.get("baseline"):
        baseline = data["baseline"]
        ET.SubElement(properties, "property", {"name": "baseline", "value": baseline["run_id"]})
        ET.SubElement(
            properties,
            "property",
            {"name": "new_failures", "value": ",".join(baseline["new_failures"])},
        )
    for requirement in requirements:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"conformance.{requirement['area']}",
                "name": requirement["id"],
                "time": str(requirement["duration"]),
            },
        )
        verdict = requirement["verdict"]
        change = requirement.get("change")
        new = "[new failure] " if change == "new failure" else ""
        label = f"{new}{requirement['level']} {requirement['id']}: {requirement['reason']}"
        out_lines = []
        if change and data.get("baseline"):
            was = requirement.get("baseline_verdict") or "absent"
            out_lines.append(
                f"{change} since baseline run {data['baseline']['run_id']} (was {was})"
            )
        if verdict == "fail":
            failure = ET.SubElement(case, "failure", {"message": _clean(label)})
            failure.text = _clean(_failure_text(requirement))
        elif verdict in ("not run", "not judged"):
            ET.SubElement(
                case, "skipped", {"message": _clean(f"{verdict}: {requirement['reason']}")}
            )
        elif verdict == "warn":
            out_lines.append(f"WARNING (SHOULD) {label}\n{_failure_text(requirement)}")
        if out_lines:
            ET.SubElement(case, "system-out").text = _clean("\n".join(out_lines))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
