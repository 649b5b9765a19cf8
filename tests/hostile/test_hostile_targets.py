"""The suite against broken and hostile targets: every run ends in bounded time with a clear
verdict and exit code, reads with a size cap, follows no redirect, keeps its request budget,
and leaks no credential into any output (the servers echo them back wherever they can)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.transport.session import MAX_BODY_BYTES, RECORDED_BODY_CHARS

from . import servers
from .servers import HostileServer, hostile_server
from .support import FAST, KEY, SECRET, Run, leaked, run_suite

pytestmark = pytest.mark.slow

TIMEOUT = 2.0
STARTUP = 25.0
"""Seconds a run may take beyond what it waits for (interpreter start, imports, reports) on a
busy two-core machine."""


def exchanges(run: Run, requirement_id: str) -> list[dict[str, object]]:
    return [e for t in run.requirement(requirement_id)["tests"] for e in t.get("exchanges", [])]


def assert_clean(run: Run) -> None:
    """No crash, no credential, one closing line."""
    everything = "\n".join(run.outputs())
    assert "Traceback" not in everything, run.explain()
    assert "Unexpected error" not in everything, run.explain()
    assert leaked(run) == [], run.explain()


# ---- targets that do not answer ---------------------------------------------------------------
def test_a_target_that_never_answers_ends_at_the_timeout_with_exit_3(tmp_path: Path) -> None:
    with hostile_server(servers.never_answers) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", "PAY-CREATE,PAY-GET")
    assert run.code == 3, run.explain()
    assert run.seconds < TIMEOUT + STARTUP
    assert run.last_line.startswith("INCOMPLETE: the target could not be reached: no ")
    assert "timeout" in run.last_line
    assert run.verdicts() == {"PAY-CREATE": "not judged", "PAY-GET": "not judged"}
    assert_clean(run)


@pytest.mark.parametrize("behaviour", [servers.trickles, servers.trickles_the_body])
def test_a_trickling_target_is_cut_off_at_the_timeout(
    behaviour: servers.Behaviour, tmp_path: Path
) -> None:
    """A byte a second never trips a per-read timeout; the total deadline ends each request."""
    only = "PAY-CREATE,PAY-GET,REPLAY-IDENTICAL"
    with hostile_server(servers.post_only(behaviour)) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", only)
    assert run.code == 3, run.explain()
    assert run.last_line.startswith("INCOMPLETE: could not judge"), run.explain()
    assert run.seconds < 3 * (TIMEOUT + 1) + STARTUP
    for requirement_id in only.split(","):
        assert run.verdicts()[requirement_id] == "not judged"
        assert "within the timeout of 2 s" in run.requirement(requirement_id)["reason"]
        cut = [e for e in exchanges(run, requirement_id) if e["error"]]
        assert cut and all(float(str(e["elapsed"])) < TIMEOUT + 1 for e in cut)
    assert_clean(run)


# ---- answers that are not what the API promises ----------------------------------------------
@pytest.mark.parametrize(
    "behaviour",
    [
        servers.html_error_page,
        servers.plain_text_error,
        servers.invalid_utf8,
        servers.truncated_json,
        servers.huge_body,
        servers.gzip_bombs,
    ],
)
def test_unusable_bodies_fail_with_a_readable_excerpt(
    behaviour: servers.Behaviour, tmp_path: Path
) -> None:
    servers.gzip_bomb()  # made before the server starts, not while the suite waits
    with hostile_server(behaviour) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", "PAY-CREATE,PAY-GET")
    assert run.code == 1, run.explain()
    assert run.last_line.startswith("NOT CONFORMANT: PAY-CREATE failed"), run.explain()
    failed = next(t for t in run.requirement("PAY-CREATE")["tests"] if t["outcome"] == "failed")
    assert failed["expected"] and failed["received"]
    assert len(failed["received"]) < 2000
    assert run.verdicts()["PAY-GET"] == "not judged"  # its setup step could not make a payment
    for exchange in exchanges(run, "PAY-CREATE"):
        assert len(str(exchange["response_body"])) <= RECORDED_BODY_CHARS
        if behaviour in (servers.huge_body, servers.gzip_bombs):
            assert exchange["truncated"], "read past the cap of MAX_BODY_BYTES"
    assert run.seconds < STARTUP + 20
    assert_clean(run)


# ---- redirects ---------------------------------------------------------------------------------
@pytest.fixture
def elsewhere() -> Iterator[HostileServer]:
    """Another origin that would make payments for anyone who came."""
    with hostile_server(servers.payments) as server:
        yield server


def test_a_redirect_is_reported_and_never_followed(
    elsewhere: HostileServer, tmp_path: Path
) -> None:
    with hostile_server(servers.redirects_to(elsewhere.base_url)) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", "PAY-CREATE,PAY-GET-UNKNOWN")
    assert elsewhere.requests == 0, "a redirect was followed"
    assert server.requests > 0 and all(KEY.encode() in head for head in server.heads)
    assert run.code == 1, run.explain()
    for requirement_id in ("PAY-CREATE", "PAY-GET-UNKNOWN"):
        assert run.verdicts()[requirement_id] == "fail"
        test = run.requirement(requirement_id)["tests"][0]
        assert test["title"] == "The target redirected the request"
        assert test["received"].startswith("307 from ")
        assert f" to {elsewhere.base_url}/api/v0/test-payment" in test["received"]
        assert "?from=$DEVDRAFT_SECRET" in test["received"]
    assert_clean(run)


# ---- storms ------------------------------------------------------------------------------------
def test_a_5xx_storm_fails_err_no_5xx_and_the_run_completes(tmp_path: Path) -> None:
    with hostile_server(servers.server_errors) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", "PAY-CREATE,ERR-NO-5XX")
    assert run.code == 1, run.explain()
    assert run.verdicts()["ERR-NO-5XX"] == "fail"
    assert run.last_line.startswith("NOT CONFORMANT:")
    assert run.report["aborted"] == ""
    assert_clean(run)


def test_a_429_storm_is_waited_out_for_a_bounded_time_then_not_judged(tmp_path: Path) -> None:
    with hostile_server(servers.rate_limits) as server:
        run = run_suite(tmp_path, server.base_url, *FAST, "--only", "PAY-CREATE,PAY-GET")
    assert run.code == 3, run.explain()
    assert run.last_line.startswith("INCOMPLETE: could not judge")
    for requirement_id in ("PAY-CREATE", "PAY-GET"):
        assert run.verdicts()[requirement_id] == "not judged"
        assert "429" in run.requirement(requirement_id)["reason"]
    assert run.seconds < 3 + STARTUP  # --max-rate-limit-wait 3: the whole run waits that long
    assert server.requests <= 10
    assert_clean(run)


# ---- the request budget ------------------------------------------------------------------------
def test_the_target_never_receives_more_than_max_requests(tmp_path: Path) -> None:
    budget = 9
    only = "PAY-CREATE,PAY-DISTINCT,REPLAY-IDENTICAL,CONC-CREATE"
    with hostile_server(servers.payments) as server:
        run = run_suite(
            tmp_path,
            server.base_url,
            *FAST,
            "--only",
            only,
            "--concurrency",
            "4",
            "--max-requests",
            str(budget),
        )
    assert server.requests <= budget, run.explain()
    assert run.report["requests"] == server.requests
    assert run.code == 3, run.explain()
    assert "not judged" in run.verdicts().values()
    assert_clean(run)


def test_the_big_bodies_are_bigger_than_the_cap() -> None:
    assert MAX_BODY_BYTES < servers.HUGE_BODY_BYTES < servers.BOMB_INFLATED_BYTES


def test_leak_check_sees_the_credentials_the_servers_echo() -> None:
    """The servers really echo the credentials, so a clean output means redaction worked."""
    request = servers.Request("GET", "/", {"x-client-key": KEY, "x-client-secret": SECRET}, b"")
    assert KEY in servers.echo(request) and SECRET in servers.echo(request)
