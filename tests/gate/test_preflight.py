"""The preflight: wrong credentials and a wrong path prefix are the configuration's fault, not
the target's: one line naming the cause and the fix, exit 2, no verdict, a handful of requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from tests.hostile import servers
from tests.hostile.servers import hostile_server

from .conftest import FAST, KEY, ONE_CLIENT, SECRET, SECRETS, one_line, run_suite

WRONG = {"DEVDRAFT_API_KEY": "gate-wrong-key-Qm3", "DEVDRAFT_SECRET": "gate-wrong-secret-Xr8Fa"}


def refuses_everyone(request: servers.Request, conn: servers.Connection) -> bytes:
    """An API that knows none of the clients the run uses."""
    return servers.response(401, b'{"statusCode": 401, "message": "Unauthorized"}')


def no_report(report_dir: Path) -> bool:
    return not any(report_dir.glob("conformance.*")) and not (report_dir / "junit.xml").exists()


def test_wrong_credentials_end_with_exit_2_after_at_most_10_requests(tmp_path: Path) -> None:
    with hostile_server(refuses_everyone) as server:
        run = run_suite(tmp_path, "--base-url", server.base_url, *FAST, env=WRONG)
    assert run.code == 2, run.explain()
    assert server.requests <= 10
    line = one_line(run.stderr)
    assert "the target refused the client credentials (401 for x-client-key" in line
    assert "check DEVDRAFT_API_KEY / DEVDRAFT_SECRET" in line
    assert "CONFORMANT" not in run.stdout and no_report(tmp_path)
    assert run.leaked(WRONG.values()) == []


def test_credentials_the_reference_server_does_not_know_are_refused(
    reference: RunningServer, tmp_path: Path
) -> None:
    run = run_suite(tmp_path, "--base-url", reference.base_url, *FAST, env=WRONG)
    assert run.code == 2, run.explain()
    assert "refused the client credentials (401" in one_line(run.stderr)
    assert no_report(tmp_path)


def test_a_wrong_second_client_is_named_as_such(reference: RunningServer, tmp_path: Path) -> None:
    env = {
        **ONE_CLIENT,
        "DEVDRAFT_SECOND_API_KEY": "gate-unknown-b",
        "DEVDRAFT_SECOND_SECRET": "gate-unknown-b-secret",
    }
    run = run_suite(tmp_path, "--base-url", reference.base_url, *FAST, env=env)
    assert run.code == 2, run.explain()
    line = one_line(run.stderr)
    assert "refused the second client credentials" in line
    assert "DEVDRAFT_SECOND_API_KEY / DEVDRAFT_SECOND_SECRET" in line
    assert run.leaked([*SECRETS, *env.values()]) == []


def test_a_doubled_path_prefix_is_named_with_its_fix(
    reference: RunningServer, tmp_path: Path
) -> None:
    base = reference.base_url + "/api/v0"
    run = run_suite(tmp_path, "--base-url", base, *FAST)
    assert run.code == 2, run.explain()
    line = one_line(run.stderr)
    assert f"no Test Payments API at {base}/api/v0/test-payment (404)" in line
    assert "check --base-url and --path-prefix" in line
    assert "already ends in /api/v0" in line
    assert no_report(tmp_path)


@pytest.mark.parametrize("status", [404, 405])
def test_a_router_that_does_not_serve_the_create_path_is_not_the_api(
    status: int, tmp_path: Path
) -> None:
    def router(request: servers.Request, conn: servers.Connection) -> bytes:
        return servers.response(status, b"Cannot POST", "text/plain")

    with hostile_server(router) as server:
        run = run_suite(tmp_path, "--base-url", server.base_url, *FAST)
    assert run.code == 2, run.explain()
    assert f"no Test Payments API at {server.base_url}/api/v0/test-payment ({status})" in (
        one_line(run.stderr)
    )
    assert server.requests <= 10


def test_a_valid_target_passes_the_preflight(reference: RunningServer, tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--base-url", reference.base_url, *FAST, "--only", "PAY-CREATE")
    assert run.code == 0, run.explain()
    assert run.last_line == "CONFORMANT: MUST 1/1 passed"
    assert run.leaked((KEY, SECRET)) == []


def test_a_seed_that_already_ran_against_the_target_is_refused_before_any_verdict(
    tmp_path: Path,
) -> None:
    """Its keys would be answered with the earlier run's stored answers: replays where the
    tests want new payments, conflicts where they changed a body."""
    clients = ("--client", f"{KEY}:{SECRET}")
    only = ("--only", "PAY-CREATE,KEY-ALPHABET")
    with running_reference_server(*clients) as server:
        url = ("--base-url", server.base_url, *FAST)
        first = run_suite(tmp_path / "first", *url, *only, "--seed", "31", env=ONE_CLIENT)
        again = run_suite(tmp_path / "again", *url, *only, "--seed", "31", env=ONE_CLIENT)
        other = run_suite(tmp_path / "other", *url, *only, "--seed", "32", env=ONE_CLIENT)
    assert first.code == 0, first.explain()
    assert again.code == 2, again.explain()
    line = one_line(again.stderr)
    assert "seed 31 has already run against this target" in line
    assert re.search(r"the key pf[0-9a-f]{24} \(409\)", line), line
    assert "rerun with another --seed" in line
    assert no_report(tmp_path / "again")
    assert other.code == 0, other.explain()


def test_a_create_refused_whatever_its_key_is_left_to_the_tests(tmp_path: Path) -> None:
    """A target that answers every create with 409 has not seen the seed before: the run goes
    on, and PAY-CREATE judges the answer."""

    def refuses_every_create(request: servers.Request, conn: servers.Connection) -> bytes:
        if request.method == "POST":
            return servers.response(409, b'{"statusCode": 409, "message": "Conflict"}')
        return servers.response(404, b'{"statusCode": 404, "message": "Not Found"}')

    with hostile_server(refuses_every_create) as server:
        run = run_suite(tmp_path, "--base-url", server.base_url, *FAST, "--only", "PAY-CREATE")
    assert run.code == 1, run.explain()
    assert run.last_line.startswith("NOT CONFORMANT: PAY-CREATE failed"), run.last_line


def test_the_parts_of_a_run_do_not_take_each_others_preflight_keys(tmp_path: Path) -> None:
    """Against a target that compares only the first 16 characters of keys, each part's
    preflight key is still its own: the run is judged (KEY-DISTINCT fails), not refused."""
    run = run_suite(
        tmp_path,
        *("--reference", "--reference-arg=--fault=key-truncated", *FAST),
        *("--only", "PAY-CREATE,KEY-DISTINCT", "--workers", "4"),
    )
    assert run.code == 1, run.explain()
    assert run.last_line.startswith("NOT CONFORMANT: KEY-DISTINCT failed"), run.last_line
