"""A valid target that rate-limits steadily is judged, not left INCOMPLETE: the run waits out
every 429, and its reports count them and the time waited."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from conformance.options import BY_DEST
from conformance.reference.launch import running_reference_server
from conformance.reference.variants import VARIANTS, suite_args
from tests.gate.conftest import KEY, ONE_CLIENT, SECRET, SECRETS, run_suite

SCHEMA = json.loads(
    resources.files("conformance.report").joinpath("conformance.schema.json").read_text()
)
ONLY = "PAY-CREATE,REPLAY-IDENTICAL,CONC-CREATE,RATE-LIMIT,RATE-NOT-STORED"
"""A few requirements, a burst among them: the self-test runs the whole suite against the
variant; this run shows the verdict and the counts at a fraction of its waiting."""


def test_a_target_answering_every_7th_request_429_is_judged_and_the_429s_counted(
    tmp_path: Path,
) -> None:
    name = "every-7th-429"
    with running_reference_server("--variant", name, "--client", f"{KEY}:{SECRET}") as server:
        run = run_suite(
            tmp_path,
            "--base-url",
            server.base_url,
            "--profile",
            "smoke",
            "--seed",
            "3",
            "--only",
            ONLY,
            *suite_args(VARIANTS[name]),
            env=ONE_CLIENT,
        )
    assert run.code == 0, run.explain()
    assert run.last_line.startswith("CONFORMANT: ")
    verdicts = run.verdicts()
    assert verdicts["RATE-LIMIT"] == "pass" and verdicts["RATE-NOT-STORED"] == "pass"
    limits = run.report["rate_limits"]
    # The server counts every authenticated request and every one of them is the suite's.
    assert limits["answers_429"] == run.report["requests"] // 7
    assert limits["seconds_waited"] > 0
    assert limits["wait_allowance"] == BY_DEST["conformance_max_rate_limit_wait"].default
    assert limits["rate_cap"] is None
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert [e.message[:200] for e in validator.iter_errors(run.report)] == []
    assert f"{limits['answers_429']} answered 429, " in run.stdout
    assert 'id="rate-limits"' in run.html_path.read_text(encoding="utf-8")
    assert run.leaked(SECRETS) == []
