"""The report in a real browser: Debian's chromium driven by Playwright (no browser download).

Opens the report of a failing run: no console error, the banner reads right, the failures
filter hides passing rows, a failure's evidence expands; saves a screenshot under reports/.
Then serves the report of the hostile run over loopback and checks that none of the target's
`<script>` and `<img onerror>` payloads executes, even with the page's CSP switched off.
Last, the compare page of the reference server beside two faults: the disagreeing rows first,
no script executed (one label is a script payload), every cell linked to its run's evidence.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.report.conftest import Comparison, Run

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "screenshot-failing-run.png"

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("/usr/bin/chromium is missing: .ci/run installs Debian's chromium")
    pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()


class Watched:
    """A page with everything that would show a script ran or a request left the file."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def close(self) -> None:
        self.context.close()


def test_the_report_of_a_failing_run_reads_right_in_a_browser(
    browser: Any, failing_run: Run
) -> None:
    watched = Watched(browser)
    page = watched.page
    url = failing_run.html_path.as_uri()
    page.goto(url)

    assert page.locator("#verdict").inner_text() == "Not conformant"
    assert page.locator("#must-count").inner_text() == "MUST 1/3 passed"
    # PAY-GET-UNKNOWN's SHOULD clause (404) fails too: one count, as in conformance.json.
    assert page.locator("#should-count").inner_text() == "SHOULD 0/1 passed"
    assert page.locator("#run-id").inner_text() == failing_run.report["run_id"]
    assert page.locator("#target").inner_text() == failing_run.report["target"]

    passing = page.locator("#req-PAY-CREATE")
    failing = page.locator("#req-PAY-GET-UNKNOWN")
    assert passing.is_visible() and failing.is_visible()
    page.get_by_label("Show failures only").check()
    assert not passing.is_visible()
    assert failing.is_visible() and page.locator("#req-REPLAY-IDENTICAL").is_visible()
    page.get_by_label("Show failures only").uncheck()
    assert passing.is_visible()

    evidence = page.locator("#fail-PAY-GET-UNKNOWN details.evidence").first
    first_request = evidence.locator("pre.request").first
    assert not first_request.is_visible()
    evidence.locator("summary").click()
    assert first_request.is_visible()
    assert "GET " in first_request.inner_text()
    assert "$DEVDRAFT_SECRET" in first_request.inner_text()
    assert page.locator("#fail-PAY-GET-UNKNOWN pre.expected").first.inner_text() == "status any 4xx"

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000

    assert watched.console == [] and watched.errors == []
    assert set(watched.requests) == {url}
    watched.close()


def test_printing_shows_the_evidence_without_opening_it(browser: Any, failing_run: Run) -> None:
    watched = Watched(browser)
    watched.page.goto(failing_run.html_path.as_uri())
    watched.page.emulate_media(media="print")
    assert watched.page.locator("#fail-PAY-GET-UNKNOWN pre.request").first.is_visible()
    assert not watched.page.get_by_label("Show failures only").is_visible()
    watched.close()


@pytest.fixture
def served_report(failing_run: Run) -> Iterator[str]:
    """The hostile run's report served over loopback, as a CI artifact viewer would."""
    handler = functools.partial(_QuietHandler, directory=str(failing_run.report_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/conformance.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-off"])
def test_no_payload_from_the_target_executes(
    browser: Any, served_report: str, bypass_csp: bool
) -> None:
    watched = Watched(browser, bypass_csp=bypass_csp)
    page = watched.page
    page.goto(served_report)
    for details in page.locator("details").all():
        details.locator("summary").click()
    page.wait_for_load_state("networkidle")

    assert page.evaluate("window.__pwned === undefined")
    assert watched.dialogs == [] and watched.errors == []
    assert [line for line in watched.console if "pwned" in line] == []
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    received = page.locator("#fail-PAY-GET-UNKNOWN pre.received").first.inner_text()
    assert "<script>window.__pwned" in received and "<img src=x onerror=" in received
    headers = page.locator("#fail-PAY-GET-UNKNOWN pre.response").first.inner_text()
    assert "X-Hostile-Script: <script>" in headers
    assert set(watched.requests) == {served_report}
    watched.close()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-off"])
def test_the_compare_page_puts_disagreements_first_and_links_every_cell(
    browser: Any, comparison: Comparison, bypass_csp: bool
) -> None:
    watched = Watched(browser, bypass_csp=bypass_csp)
    page = watched.page
    url = comparison.html_path.as_uri()
    page.goto(url)

    rows = page.locator("tr[id^='row-']")
    assert rows.count() == len(comparison.data["rows"])
    first = [rows.nth(i).get_attribute("id") for i in range(3)]
    assert first == ["row-PAY-GET-UNKNOWN", "row-REFUND-UNKNOWN", "row-PAY-CREATE"]
    assert page.locator("#disagree tr[id^='row-']").count() == 2
    assert page.locator("#must-2").inner_text() == "2 / 1 / 0"

    cells = page.locator("td.cell")
    assert cells.count() == 3 * rows.count()
    assert page.locator("td.cell:not(:has(a.verdict[href]))").count() == 0
    assert page.locator("#row-REFUND-UNKNOWN td.cell").nth(2).locator("a.repro").count() >= 2

    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("script").count() == 0
    assert "<script>window.__pwned" in page.locator("#run-2").inner_text()
    assert watched.dialogs == [] and watched.errors == [] and watched.console == []
    assert set(watched.requests) == {url}

    page.locator("#row-PAY-GET-UNKNOWN td.cell").nth(1).locator("a.verdict").click()
    page.wait_for_url("**/conformance.html#fail-PAY-GET-UNKNOWN")
    assert page.locator("#fail-PAY-GET-UNKNOWN").is_visible()
    assert page.locator("#label").inner_text() == comparison.data["runs"][1]["label"]
    watched.close()
