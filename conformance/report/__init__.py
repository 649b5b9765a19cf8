"""Report writers: the run's plain data rendered as JSON, JUnit XML, HTML and console text.

A writer never sends a request; everything it shows comes from `report_data(run)`.
"""

from __future__ import annotations

from pathlib import Path

from conformance.report.console import print_summary
from conformance.report.data import report_data
from conformance.report.html import write_html
from conformance.report.json_report import write_json
from conformance.report.junit import write_junit
from conformance.results import RunResult

__all__ = ["print_summary", "report_data", "write_reports"]


def write_reports(run: RunResult, report_dir: Path) -> list[Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    data = report_data(run)
    return [
        write_html(data, report_dir / "conformance.html"),
        write_json(data, report_dir / "conformance.json"),
        write_junit(data, report_dir / "junit.xml"),
    ]
