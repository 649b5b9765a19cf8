"""`devdraft-conformance compare`: the reference server's run beside two faults' runs, as data
(compare.json against its schema), as a page (links that lead to each run's evidence), and
the inputs it refuses."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from conformance.__main__ import main
from conformance.report.compare import CompareError, compare_data, load_run
from tests.report.conftest import LABEL_PAYLOAD, Comparison

SCHEMA = json.loads(
    resources.files("conformance.report").joinpath("compare.schema.json").read_text()
)


def test_compare_exits_0_though_runs_failed_and_its_json_validates_against_its_schema(
    comparison: Comparison,
) -> None:
    assert comparison.compare.code == 0, comparison.compare.explain()
    assert [run.code for run in comparison.runs.values()] == [0, 1, 1]
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [
        f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(comparison.data)
    ] == []


def test_the_rows_where_the_runs_disagree_come_first_in_catalog_order(
    comparison: Comparison,
) -> None:
    data = comparison.data
    rows = data["rows"]
    assert [(r["id"], r["disagree"]) for r in rows[:3]] == [
        ("PAY-GET-UNKNOWN", True),
        ("REFUND-UNKNOWN", True),
        ("PAY-CREATE", False),
    ]
    assert data["disagreeing"] == 2 and not any(r["disagree"] for r in rows[2:])
    verdicts = {r["id"]: [c["verdict"] for c in r["cells"]] for r in rows}
    assert verdicts["PAY-GET-UNKNOWN"] == ["pass", "fail", "pass"]
    assert verdicts["REFUND-UNKNOWN"] == ["pass", "pass", "fail"]
    assert verdicts["PAY-CREATE"] == ["pass", "pass", "pass"]
    assert len(rows) == len(comparison.runs["reference"].report["requirements"])


def test_each_column_is_labelled_and_counts_its_musts(comparison: Comparison) -> None:
    runs = comparison.data["runs"]
    default = urlsplit(comparison.runs["refund-unknown-500"].report["target"]).netloc
    assert default.startswith("127.0.0.1:")
    assert [r["title"] for r in runs] == ["reference", LABEL_PAYLOAD, default]
    assert [r["label"] for r in runs] == [r.report["label"] for r in comparison.runs.values()]
    assert [r["must"] for r in runs] == [
        {"passed": 3, "failed": 0, "not_judged": 0},
        {"passed": 2, "failed": 1, "not_judged": 0},
        {"passed": 2, "failed": 1, "not_judged": 0},
    ]
    assert [r["exit_code"] for r in runs] == [0, 1, 1]
    html = comparison.runs["reference"].html_path.read_text(encoding="utf-8")
    assert '<div class="label" id="label">reference</div>' in html


class _Anchors(HTMLParser):
    """The page's links and element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def _anchors(path: Path) -> _Anchors:
    anchors = _Anchors()
    anchors.feed(path.read_text(encoding="utf-8"))
    return anchors


def test_every_link_leads_to_the_run_evidence_it_names(comparison: Comparison) -> None:
    """Each verdict's page exists and has the fragment's section; a failure also links its
    curl and pytest reproductions, which exist."""
    folder = comparison.compare.report_dir
    links = _anchors(comparison.html_path).links
    cells = [c for row in comparison.data["rows"] for c in row["cells"]]
    hrefs = [c["href"] for c in cells] + [r["href"] for c in cells for r in c["reproductions"]]
    assert set(hrefs) <= set(links)
    pages: dict[Path, _Anchors] = {}
    for href in hrefs:
        path, _, fragment = href.partition("#")
        target = (folder / unquote(path)).resolve()
        assert target.is_file(), href
        if fragment:
            found = pages.setdefault(target, _anchors(target))
            assert fragment in found.ids, href
    failures = [c for c in cells if c["verdict"] == "fail"]
    assert len(failures) == 2
    for cell in failures:
        assert "#fail-" in cell["href"]
        kinds = [r["kind"] for r in cell["reproductions"]]
        assert kinds and kinds.count("sh") == kinds.count("pytest")


def test_the_page_is_self_contained_and_escapes_the_labels(comparison: Comparison) -> None:
    html = comparison.html_path.read_text(encoding="utf-8")
    assert "default-src 'none'" in html and "<style>" in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;window.__pwned" in html
    assert [link for link in _anchors(comparison.html_path).links if "//" in link] == []


def test_runs_sharing_a_label_read_as_history_oldest_first(
    comparison: Comparison, tmp_path: Path
) -> None:
    reference = comparison.runs["reference"].report_dir / "conformance.json"
    earlier = json.loads(
        (comparison.runs["unknown-id-500"].report_dir / "conformance.json").read_text()
    )
    earlier.update(label="reference", started="2000-01-02T03:04:05+00:00")
    older = tmp_path / "older" / "conformance.json"
    older.parent.mkdir()
    older.write_text(json.dumps(earlier), encoding="utf-8")
    data = compare_data([load_run(reference), load_run(older)], tmp_path / "out")
    titles = [run["title"] for run in data["runs"]]
    started = comparison.runs["reference"].report["started"]
    assert titles == ["reference 2000-01-02T03:04:05+00:00", f"reference {started}"]
    assert data["rows"][0]["id"] == "PAY-GET-UNKNOWN"
    assert [c["verdict"] for c in data["rows"][0]["cells"]] == ["fail", "pass"]


def test_a_report_without_a_label_is_named_by_its_host(
    comparison: Comparison, tmp_path: Path
) -> None:
    written = json.loads((comparison.runs["reference"].report_dir / "conformance.json").read_text())
    del written["label"]
    before = tmp_path / "conformance.json"
    before.write_text(json.dumps(written), encoding="utf-8")
    assert load_run(before).label == urlsplit(written["target"]).netloc


def test_a_report_of_a_later_version_with_fields_added_is_compared(
    comparison: Comparison, tmp_path: Path
) -> None:
    later = json.loads((comparison.runs["reference"].report_dir / "conformance.json").read_text())
    later["new_run_field"] = {"anything": 1}
    later["requirements"][0]["new_requirement_field"] = "x"
    later["requirements"][0]["tests"][0]["new_test_field"] = [1, 2]
    written = tmp_path / "conformance.json"
    written.write_text(json.dumps(later), encoding="utf-8")
    assert load_run(written).data["new_run_field"] == {"anything": 1}
    later["requirements"][0]["verdict"] = 3  # a known field of the wrong type is still refused
    written.write_text(json.dumps(later), encoding="utf-8")
    with pytest.raises(CompareError, match=r"is not a conformance\.json of this suite"):
        load_run(written)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "is not a readable conformance.json"),
        ("{not json", "is not a readable conformance.json"),
        ('{"schema_version": 1, "runs": []}', "is not a conformance.json of this suite"),
        ("part", "of a sharded run"),
    ],
    ids=["missing", "not-json", "another-file", "shard-part"],
)
def test_an_input_that_is_not_a_run_report_exits_2_naming_it(
    comparison: Comparison,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    said: str,
) -> None:
    given = tmp_path / "given.json"
    if content == "part":
        part = json.loads(
            (comparison.runs["reference"].report_dir / "conformance.json").read_text()
        )
        part["shard"] = {
            "index": 1,
            "total": 2,
            "max_requests": None,
            "budget_spent": False,
            "interrupted_by": "",
        }
        content = json.dumps(part)
    if content is not None:
        given.write_text(content, encoding="utf-8")
    good = str(comparison.runs["reference"].report_dir / "conformance.json")
    code = main(["compare", good, str(given), "--report-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and str(given) in err and said in err, err
    assert not (tmp_path / "out").exists()
